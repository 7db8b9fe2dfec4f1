package io.cadre.compute;

import io.cadre.compute.internal.PoolEngine;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The bounded in-process compute pool: CPU-heavy tasks run on at most {@code threads} threads at
 * once, fed through {@link Lane}s that each cap their own concurrency and queue. A full lane
 * refuses at once instead of letting work pile up; a task that waited too long, or whose client
 * has gone, is dropped before it runs.
 *
 * <pre>{@code
 * try (ComputePool pool = ComputePool.start(ComputePoolConfig.defaults())) {
 *     // at most 1 thumbnail at once, 8 waiting, none started after waiting over 500 ms
 *     Lane thumbnails = pool.lane("thumbnails", new LaneOptions(1, 8, 500));
 *     CompletableFuture<byte[]> png = thumbnails.submit(() -> render(image));
 * }
 * }</pre>
 *
 * <p>Thread-safety: every method may be called from any thread. Submitting never blocks. What the
 * caller did before {@code submit} happens-before the task starts; what the task did
 * happens-before its future completes. {@link #shutdown(long)} and {@link #close()} must not be
 * called from a task: they would wait for it until the drain time passes.
 */
public final class ComputePool implements AutoCloseable {
    /** The name of the lane that {@link #submit(Callable)} uses. */
    public static final String DEFAULT_LANE = "default";

    private final PoolEngine engine;

    private ComputePool(PoolEngine engine) {
        this.engine = engine;
    }

    /**
     * Starts a pool. Returns at once: the threads start, and their priority (niceness,
     * {@code SCHED_IDLE}) is applied in the background ({@link #nicenessApplied()} waits for it).
     *
     * @param config the configuration
     * @return the running pool
     */
    public static ComputePool start(ComputePoolConfig config) {
        return start(config, System::nanoTime);
    }

    /** For tests: a pool whose queue timeouts and service times read {@code nanoClock}. */
    static ComputePool start(ComputePoolConfig config, LongSupplier nanoClock) {
        Objects.requireNonNull(config, "config");
        return new ComputePool(PoolEngine.start(config, DEFAULT_LANE, nanoClock));
    }

    /** @return the configuration the pool was started with */
    public ComputePoolConfig config() {
        return engine.config();
    }

    /**
     * Creates a lane. Lanes live as long as the pool.
     *
     * @param name a unique, non-blank name (for example the route)
     * @param options its limits; {@code maxConcurrency} must not exceed the pool's {@code threads}
     * @return the new lane
     * @throws IllegalArgumentException if the name is blank or taken, or the options do not fit
     */
    public Lane lane(String name, LaneOptions options) {
        return engine.newLane(name, options);
    }

    /** @return the lane that {@link #submit(Callable)} uses, with the config's default options */
    public Lane defaultLane() {
        return engine.defaultLane();
    }

    /**
     * Submits a task on the default lane; see {@link Lane#submit(Callable, BooleanSupplier)}.
     *
     * @param task the work
     * @param <T> the result type
     * @return the task's future; never blocks
     */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return engine.defaultLane().submit(task);
    }

    /**
     * Submits a task on the default lane; see {@link Lane#submit(Callable, BooleanSupplier)}.
     *
     * @param task the work
     * @param stillWanted asked just before the task would start; false drops it
     * @param <T> the result type
     * @return the task's future; never blocks
     */
    public <T> CompletableFuture<T> submit(Callable<T> task, BooleanSupplier stillWanted) {
        return engine.defaultLane().submit(task, stillWanted);
    }

    /** @return a snapshot of the pool's and its lanes' counters */
    public ComputePoolStats stats() {
        return engine.stats();
    }

    /**
     * Whether every platform compute thread runs at the configured nice value. False when
     * {@code niceness} is 0, for {@link ComputePoolConfig.Kind#VIRTUAL}, and when setting it
     * failed (not Linux, no {@code renice}, not permitted); a failure is logged once as a WARN.
     * The priority is applied in the background right after the pool starts (one short-lived
     * process for all threads, so that starting a pool does not wait for it); this call waits for
     * that step to finish, which takes milliseconds and at most a few seconds.
     *
     * @return true if the niceness is in effect on every compute thread
     */
    public boolean nicenessApplied() {
        return engine.nicenessApplied();
    }

    /** @return true once {@link #shutdown(long)} or {@link #close()} has been called */
    public boolean isShutdown() {
        return engine.isShutdown();
    }

    /**
     * Shuts the pool down: new submissions are refused with {@code SHUT_DOWN} at once; running and
     * queued tasks may finish within {@code drainMillis}; then the tasks still queued fail with
     * {@code SHUT_DOWN} and the threads still running a task are interrupted. Idempotent; a later call
     * only waits for termination.
     *
     * @param drainMillis how long to let work finish. UNIT: ms.
     * @return true if every compute thread had ended within {@code drainMillis}
     */
    public boolean shutdown(long drainMillis) {
        return engine.shutdown(drainMillis);
    }

    /**
     * Waits until every compute thread has ended, after a shutdown.
     *
     * @param timeoutMillis the longest wait. UNIT: ms.
     * @return true if every compute thread has ended
     */
    public boolean awaitTermination(long timeoutMillis) {
        return engine.awaitTermination(timeoutMillis);
    }

    /** {@link #shutdown(long) Shuts down} with the config's {@code drainMillis}. */
    @Override
    public void close() {
        engine.shutdown(engine.config().drainMillis());
    }
}
