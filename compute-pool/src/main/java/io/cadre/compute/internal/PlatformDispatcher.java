package io.cadre.compute.internal;

import io.cadre.compute.ComputePool;
import io.cadre.compute.ComputePoolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of daemon platform threads, {@code cadre-compute-1..N}. An idle thread blocks on
 * {@code queued}, a semaphore that counts the run queue's tasks, so idle threads never spin.
 * Each thread first gives itself the configured nice value (best effort, one WARN per pool).
 */
final class PlatformDispatcher implements Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ComputePool.class);
    private static final long START_WAIT_SECONDS = 30;

    private final PoolEngine engine;
    private final TaskQueue<ComputeTask<?>> runQueue;
    private final Semaphore queued = new Semaphore(0);
    private final List<Thread> threads = new ArrayList<>();
    private final boolean nicenessApplied;

    PlatformDispatcher(PoolEngine engine, ComputePoolConfig config, TaskQueue<ComputeTask<?>> runQueue) {
        this.engine = engine;
        this.runQueue = runQueue;
        int niceness = config.niceness();
        CountDownLatch ready = new CountDownLatch(config.threads());
        AtomicInteger niced = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        ThreadFactory factory = Thread.ofPlatform().name("cadre-compute-", 1).daemon(true).factory();
        for (int i = 0; i < config.threads(); i++) {
            threads.add(factory.newThread(() -> {
                try {
                    String why = niceness == 0 ? "not requested" : Niceness.applyToCurrentThread(niceness);
                    if (why == null) {
                        niced.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, why);
                    }
                } finally {
                    ready.countDown();
                }
                work();
            }));
        }
        threads.forEach(Thread::start);
        awaitStarted(ready);
        this.nicenessApplied = niceness > 0 && niced.get() == config.threads();
        if (niceness > 0 && !nicenessApplied) {
            LOG.warn("cadre-compute threads keep their normal CPU priority instead of nice {} ({});"
                    + " compute work competes with request threads on equal terms", niceness,
                    failure.get() != null ? failure.get() : "threads did not start in time");
        }
    }

    private static void awaitStarted(CountDownLatch ready) {
        try {
            ready.await(START_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void work() {
        while (!engine.stopped()) {
            try {
                queued.acquire();
            } catch (InterruptedException e) {
                continue; // the loop checks whether the pool has stopped
            }
            ComputeTask<?> task = runQueue.poll(); // null only if shutdown swept it away
            if (task != null) {
                task.run(engine);
            }
            Thread.interrupted(); // a task's leftover interrupt must not cut the next wait short
        }
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

    @Override
    public boolean nicenessApplied() {
        return nicenessApplied;
    }
}
