package io.cadre.compute.internal;

import io.cadre.compute.ComputePoolConfig;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;

/**
 * Runs each task on a new virtual thread, {@code cadre-compute-vt-N}, with at most
 * {@code threads} of them at once ({@code permits}). Like a lane, it moves tasks from the run
 * queue with {@code tryAcquire} only; the thread that frees a permit pumps again, so no task is
 * stranded and no caller blocks.
 *
 * <p>No niceness: a virtual thread runs on the shared carrier threads of the JVM's scheduler, the
 * same carriers that run every ordinary request's virtual thread, and moves between them; a nice
 * value set on a carrier would slow all of those instead of the compute task.
 */
final class VirtualDispatcher implements Dispatcher {
    private final PoolEngine engine;
    private final TaskQueue<ComputeTask<?>> runQueue;
    private final Semaphore permits;
    private final ThreadFactory factory = Thread.ofVirtual().name("cadre-compute-vt-", 1).factory();
    private final Set<Thread> live = ConcurrentHashMap.newKeySet();

    VirtualDispatcher(PoolEngine engine, ComputePoolConfig config, TaskQueue<ComputeTask<?>> runQueue) {
        this.engine = engine;
        this.runQueue = runQueue;
        this.permits = new Semaphore(config.threads());
    }

    @Override
    public void taskQueued() {
        pump();
    }

    private void pump() {
        while (!engine.stopped() && !runQueue.isEmpty() && permits.tryAcquire()) {
            ComputeTask<?> task = runQueue.poll();
            if (task == null) {
                permits.release();
                continue;
            }
            Thread thread = factory.newThread(() -> runThenPump(task));
            live.add(thread);
            thread.start();
        }
    }

    private void runThenPump(ComputeTask<?> task) {
        try {
            task.run(engine);
        } finally {
            permits.release();
            try {
                pump();
            } finally {
                live.remove(Thread.currentThread());
            }
        }
    }

    @Override
    public void interruptAll() {
        live.forEach(Thread::interrupt);
    }

    @Override
    public boolean awaitTermination(long deadlineNanos) {
        try {
            for (Thread thread : live) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    return live.isEmpty();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return live.isEmpty();
    }

    @Override
    public boolean nicenessApplied() {
        return false;
    }
}
