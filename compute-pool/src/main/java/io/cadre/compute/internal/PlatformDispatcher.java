package io.cadre.compute.internal;

import io.cadre.compute.ComputePool;
import io.cadre.compute.ComputePoolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of daemon platform threads, {@code cadre-compute-1..N}. A thread that finds no task
 * spins for at most {@link #SPIN_NANOS} (calling {@link Thread#onSpinWait()}) and then blocks on
 * {@code queued}, a semaphore that counts the run queue's tasks: a task submitted while a thread
 * still spins starts within a microsecond or two instead of paying a futex wake-up (tens of
 * microseconds), and an idle pool costs nothing after those few microseconds.
 * The configured nice value or {@code SCHED_IDLE} is applied to all threads at once, in the
 * background, right after they start (best effort, one WARN per pool); once it is, a
 * {@link PriorityGuard} puts back to normal any other thread that inherits it.
 */
final class PlatformDispatcher implements Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ComputePool.class);
    private static final long START_WAIT_SECONDS = 30;
    /** How long an idle compute thread looks for the next task before it blocks. UNIT: ns. */
    static final long SPIN_NANOS = 50_000;

    private final PoolEngine engine;
    private final TaskQueue<ComputeTask<?>> runQueue;
    private final Semaphore queued = new Semaphore(0);
    private final List<Thread> threads = new ArrayList<>();
    /** Completes with whether every thread got the configured priority. */
    private final CompletableFuture<Boolean> priority;

    PlatformDispatcher(PoolEngine engine, ComputePoolConfig config, TaskQueue<ComputeTask<?>> runQueue) {
        this.engine = engine;
        this.runQueue = runQueue;
        boolean lowered = config.niceness() > 0 || config.idleScheduling();
        CountDownLatch ready = new CountDownLatch(config.threads());
        List<String> tids = java.util.Collections.synchronizedList(new ArrayList<>());
        ThreadFactory factory = Thread.ofPlatform().name("cadre-compute-", 1).daemon(true).factory();
        for (int i = 0; i < config.threads(); i++) {
            threads.add(factory.newThread(() -> {
                try {
                    if (lowered) {
                        tids.add(Niceness.currentThreadId());
                    }
                } catch (java.io.IOException e) {
                    // the priority step reports the missing id
                } finally {
                    ready.countDown();
                }
                work();
            }));
        }
        threads.forEach(Thread::start);
        if (!lowered) {
            priority = CompletableFuture.completedFuture(false);
            return;
        }
        priority = new CompletableFuture<>();
        // In the background: the pool serves at once, and a worker's boot does not wait for a process.
        Thread.ofVirtual().name("cadre-compute-priority").start(() -> {
            boolean started = awaitStarted(ready);
            java.util.Set<String> own = java.util.Set.copyOf(tids);
            PriorityGuard.register(own); // before they are lowered: other pools' guards must leave them alone
            String why = !started ? "threads did not start in time"
                    : own.size() < config.threads() ? "no kernel thread id for every thread (/proc/thread-self)"
                    : Niceness.apply(List.copyOf(own), config.niceness(), config.idleScheduling());
            if (why != null && !engine.stopped()) {
                LOG.warn("cadre-compute threads keep their normal CPU priority instead of {} ({});"
                        + " compute work competes with request threads on equal terms",
                        config.idleScheduling() ? "SCHED_IDLE" : "nice " + config.niceness(), why);
            }
            if (why == null && !engine.stopped()) {
                PriorityGuard.start(own, config.niceness(), config.idleScheduling(), engine::stopped, LOG);
            } else {
                PriorityGuard.unregister(own);
            }
            priority.complete(why == null);
        });
    }

    private static boolean awaitStarted(CountDownLatch ready) {
        try {
            return ready.await(START_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void work() {
        while (!engine.stopped()) {
            try {
                take();
            } catch (InterruptedException e) {
                continue; // the loop checks whether the pool has stopped
            }
            ComputeTask<?> task = runQueue.poll(); // null only if shutdown swept it away
            if (task != null) {
                try {
                    task.run(engine);
                } catch (Throwable t) { // a compute thread must outlive anything; run() already completed the future
                    LOG.error("a compute task escaped its handling", t);
                }
            }
            Thread.interrupted(); // a task's leftover interrupt must not cut the next wait short
        }
    }

    /** Takes one permit of {@code queued}: spinning briefly first, then blocking. */
    private void take() throws InterruptedException {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        do {
            if (queued.tryAcquire()) {
                return;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < spinUntil && !engine.stopped());
        queued.acquire();
    }

    @Override
    public void taskQueued() {
        queued.release();
    }

    @Override
    public void interruptAll() {
        threads.forEach(Thread::interrupt);
    }

    @Override
    public boolean awaitTermination(long deadlineNanos) {
        try {
            for (Thread thread : threads) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 ? thread.isAlive() : !thread.join(Duration.ofNanos(left))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits (at most a few seconds, only right after start) until the priority step has run. */
    @Override
    public boolean nicenessApplied() {
        try {
            return priority.get(START_WAIT_SECONDS + Niceness.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }
}
