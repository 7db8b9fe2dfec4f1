package io.cadre.compute.internal;

import io.cadre.compute.ComputeRejectedException;
import io.cadre.compute.ComputeRejectedException.Reason;
import io.cadre.compute.Lane;
import io.cadre.compute.LaneOptions;
import io.cadre.compute.LaneStats;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A lane: {@code slots} permits let at most {@code maxConcurrency} of its tasks past it (into the
 * pool's run queue or running), {@code queueSpace} permits let at most {@code queue} more wait in
 * {@code pending}. Both are taken with {@code tryAcquire} only, so no caller ever blocks.
 *
 * <p>No task is stranded in {@code pending}: whoever adds to it, and whoever frees a slot, then
 * calls {@link #pump()}, which moves tasks while it can take a slot.
 */
final class LaneImpl implements Lane {
    private final PoolEngine engine;
    private final String name;
    private final LaneOptions options;
    private final long timeoutNanos;
    private final Semaphore slots;
    private final Semaphore queueSpace;
    private final TaskQueue<ComputeTask<?>> pending;
    final LaneCounters counters = new LaneCounters();

    LaneImpl(PoolEngine engine, String name, LaneOptions options) {
        this.engine = engine;
        this.name = name;
        this.options = options;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(options.queueTimeoutMillis());
        this.slots = new Semaphore(options.maxConcurrency());
        this.queueSpace = new Semaphore(options.queue());
        this.pending = TaskQueue.bounded(options.queue());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LaneOptions options() {
        return options;
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task, BooleanSupplier stillWanted) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(stillWanted, "stillWanted");
        CompletableFuture<T> future = new CompletableFuture<>();
        if (!engine.admit()) {
            future.completeExceptionally(refusal(Reason.SHUT_DOWN));
            return future;
        }
        ComputeTask<T> computeTask = new ComputeTask<>(this, task, stillWanted, future, engine.now());
        counters.queued.incrementAndGet();
        if (pending.isEmpty() && slots.tryAcquire()) {
            engine.dispatch(computeTask);
        } else if (queueSpace.tryAcquire()) {
            pending.offer(computeTask);
            pump();
            engine.sweepIfStopped();
        } else {
            counters.queued.decrementAndGet();
            engine.taskDone();
            future.completeExceptionally(refusal(Reason.QUEUE_FULL));
        }
        return future;
    }

    @Override
    public LaneStats stats() {
        return counters.snapshot(name, options);
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** Moves pending tasks to the pool while a slot is free. Any thread; never blocks. */
    private void pump() {
        while (!engine.stopped() && !pending.isEmpty() && slots.tryAcquire()) {
            ComputeTask<?> next = pending.poll();
            if (next == null) {
                slots.release();
                continue;
            }
            queueSpace.release();
            engine.dispatch(next);
        }
    }

    ComputeRejectedException refusal(Reason reason) {
        counters.rejected(reason);
        long serviceNanos = counters.serviceTime.nanos();
        if (serviceNanos == 0) {
            serviceNanos = engine.serviceTime.nanos();
        }
        // a task older than the queue timeout is not run, so there is room again after about one
        // queue timeout and one service time, however deep the queue
        long cap = Math.max(1, (long) Math.ceil((timeoutNanos + (double) serviceNanos) / 1e9));
        return new ComputeRejectedException(name, reason,
                Math.min(cap, RetryAfter.seconds(counters.queued.get(), serviceNanos, options.maxConcurrency())));
    }

    void started() {
        counters.queued.decrementAndGet();
        counters.running.incrementAndGet();
    }

    void finished(long runNanos) {
        counters.running.decrementAndGet();
        counters.completed.increment();
        counters.serviceTime.record(runNanos);
        engine.serviceTime.record(runNanos);
        releaseSlot();
    }

    void notStarted() {
        counters.queued.decrementAndGet();
        releaseSlot();
    }

    private void releaseSlot() {
        slots.release();
        pump();
        engine.taskDone();
    }

    /** A queued task is cancelled by shutdown; frees its slot or queue space, starts nothing. */
    void cancelledInQueue(boolean holdsSlot) {
        counters.queued.decrementAndGet();
        (holdsSlot ? slots : queueSpace).release();
        engine.taskDone();
    }

    void cancelPending() {
        ComputeTask<?> task;
        while ((task = pending.poll()) != null) {
            task.refuseQueued(false);
        }
    }
}
