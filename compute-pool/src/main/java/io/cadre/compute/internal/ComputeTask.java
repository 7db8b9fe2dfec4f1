package io.cadre.compute.internal;

import io.cadre.compute.ComputeRejectedException.Reason;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One submitted task and its future. {@link #run} is called once, on a compute thread, when the
 * task holds a lane slot; it decides at that moment whether the task still runs. The lane's
 * counters are updated before the future completes, so a caller that sees the future done sees
 * counters that include the task.
 */
final class ComputeTask<T> {
    private final LaneImpl lane;
    private final Callable<T> work;
    private final BooleanSupplier stillWanted;
    private final CompletableFuture<T> future;
    private final long admittedNanos;

    ComputeTask(LaneImpl lane, Callable<T> work, BooleanSupplier stillWanted,
            CompletableFuture<T> future, long admittedNanos) {
        this.lane = lane;
        this.work = work;
        this.stillWanted = stillWanted;
        this.future = future;
        this.admittedNanos = admittedNanos;
    }

    void run(PoolEngine engine) {
        if (engine.stopped()) {
            refuseQueued(true);
            return;
        }
        if (future.isDone()) { // the caller cancelled it
            lane.notStarted();
            return;
        }
        boolean wanted;
        try {
            wanted = stillWanted.getAsBoolean();
        } catch (Throwable e) { // also a checked exception thrown sneakily: the slot and the counts must come back
            lane.notStarted();
            future.completeExceptionally(e);
            return;
        }
        if (!wanted) {
            lane.counters.dropped.increment();
            lane.notStarted();
            future.cancel(false);
            return;
        }
        long start = engine.now();
        if (start - admittedNanos > lane.timeoutNanos()) {
            var refusal = lane.refusal(Reason.QUEUE_TIMEOUT);
            lane.notStarted();
            future.completeExceptionally(refusal);
            return;
        }
        lane.started();
        T value = null;
        Throwable failure = null;
        try {
            value = work.call();
        } catch (Throwable e) { // the task's failure is its future's, never the thread's
            failure = e;
        }
        lane.finished(engine.now() - start);
        if (failure == null) {
            future.complete(value);
        } else {
            future.completeExceptionally(failure);
        }
    }

    /** Cancels a task that never started; {@code holdsSlot} says whether it took a lane slot. */
    void cancelQueued(boolean holdsSlot) {
        lane.cancelledInQueue(holdsSlot);
        future.cancel(false);
    }

    /**
     * Fails a task that never started because the pool stopped, with {@code SHUT_DOWN} (a 503 for
     * a route), not a cancellation, which a route reads as its client having left.
     */
    void refuseQueued(boolean holdsSlot) {
        lane.cancelledInQueue(holdsSlot);
        future.completeExceptionally(lane.refusal(Reason.SHUT_DOWN));
    }
}
