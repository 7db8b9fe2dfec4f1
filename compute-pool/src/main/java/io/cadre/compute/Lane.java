package io.cadre.compute;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One caller's (one route's) share of a {@link ComputePool}, with its own {@link LaneOptions}:
 * at most {@code maxConcurrency} of its tasks run at once and at most {@code queue} wait for a
 * slot; a submission beyond that is refused at once.
 *
 * <p>Thread-safety: every method may be called from any thread, at any time. Submitting never
 * blocks the caller. Everything the caller did before {@code submit} happens-before the task
 * starts; everything the task did happens-before its future completes.
 */
public interface Lane {
    /** @return the lane's name, unique in its pool */
    String name();

    /** @return the lane's limits */
    LaneOptions options();

    /**
     * Submits a task that is wanted until it runs. Same as {@code submit(task, () -> true)}.
     *
     * @param task the work; its result or exception completes the future
     * @param <T> the result type
     * @return the task's future; see {@link #submit(Callable, BooleanSupplier)}
     */
    default <T> CompletableFuture<T> submit(Callable<T> task) {
        return submit(task, () -> true);
    }

    /**
     * Submits a task. Returns at once, without blocking. The future completes
     * <ul>
     *   <li>with the task's result, or exceptionally with what the task threw;</li>
     *   <li>exceptionally with a {@link ComputeRejectedException}: {@code QUEUE_FULL} at once
     *       when the lane is full, {@code QUEUE_TIMEOUT} when the task waited longer than
     *       {@code queueTimeoutMillis} (it is not run), {@code SHUT_DOWN} when the pool no longer
     *       accepts work, or when the pool shuts down while the task is still queued (it is not
     *       run; this is a refusal, not a cancellation, so a route answers 503);</li>
     *   <li>cancelled, without the task running, when {@code stillWanted} answers false just
     *       before the task would start (the client has gone away; the lane's {@code dropped}
     *       count grows).</li>
     * </ul>
     * Cancelling the returned future before the task starts also keeps it from running.
     *
     * @param task the work
     * @param stillWanted asked on the compute thread just before the task would start; must be
     *     cheap and must not block. If it throws, the future fails with that exception.
     * @param <T> the result type
     * @return the task's future
     */
    <T> CompletableFuture<T> submit(Callable<T> task, BooleanSupplier stillWanted);

    /** @return a snapshot of the lane's counters; callable from any thread */
    LaneStats stats();
}
