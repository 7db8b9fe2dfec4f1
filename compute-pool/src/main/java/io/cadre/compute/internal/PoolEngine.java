package io.cadre.compute.internal;

import io.cadre.compute.ComputePoolConfig;
import io.cadre.compute.ComputePoolStats;
import io.cadre.compute.ComputeRejectedException.Reason;
import io.cadre.compute.Lane;
import io.cadre.compute.LaneOptions;
import io.cadre.compute.LaneStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The pool behind {@link io.cadre.compute.ComputePool}: its lanes, the run queue of tasks that
 * hold a lane slot, the {@link Dispatcher} that runs them, and the shutdown state. Every method
 * may be called from any thread.
 *
 * <p>Shutdown ordering: {@code accepting} turns false first (no new admissions), then the pool
 * waits for {@code inFlight} (admitted, not yet finished) to reach 0, then {@code stopped} turns
 * true and whatever is still queued is swept (cancelled). A task enqueued concurrently with the
 * sweep is caught by {@link #sweepIfStopped()}, which every enqueuer calls after enqueuing.
 */
public final class PoolEngine {
    private final ComputePoolConfig config;
    private final LongSupplier clock;
    private final TaskQueue<ComputeTask<?>> runQueue = TaskQueue.unbounded();
    private final List<LaneImpl> lanes = new CopyOnWriteArrayList<>();
    private final LaneImpl defaultLane;
    private final InFlight inFlight = new InFlight();
    private final ReentrantLock shutdownLock = new ReentrantLock();
    private volatile boolean accepting = true;
    private volatile boolean stopped;
    final Ewma serviceTime = new Ewma();
    private final Dispatcher dispatcher;

    private PoolEngine(ComputePoolConfig config, String defaultLaneName, LongSupplier clock) {
        this.config = config;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.defaultLane = addLane(defaultLaneName, config.defaultLane());
        this.dispatcher = config.kind() == ComputePoolConfig.Kind.PLATFORM
                ? new PlatformDispatcher(this, config, runQueue)
                : new VirtualDispatcher(this, config, runQueue);
    }

    /** Starts a pool; returns at once (its threads start, their priority is set in the background). */
    public static PoolEngine start(ComputePoolConfig config, String defaultLaneName, LongSupplier clock) {
        return new PoolEngine(Objects.requireNonNull(config, "config"), defaultLaneName, clock);
    }

    public ComputePoolConfig config() {
        return config;
    }

    public Lane defaultLane() {
        return defaultLane;
    }

    public Lane newLane(String name, LaneOptions options) {
        return addLane(name, options);
    }

    private synchronized LaneImpl addLane(String name, LaneOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("lane name must not be blank");
        }
        if (lanes.stream().anyMatch(lane -> lane.name().equals(name))) {
            throw new IllegalArgumentException("lane '" + name + "' already exists in this pool");
        }
        if (options.maxConcurrency() > config.threads()) {
            throw new IllegalArgumentException("lane '" + name + "': maxConcurrency ("
                    + options.maxConcurrency() + ") must not exceed the pool's threads ("
                    + config.threads() + ")");
        }
        LaneImpl lane = new LaneImpl(this, name, options);
        lanes.add(lane);
        return lane;
    }

    public ComputePoolStats stats() {
        List<LaneStats> laneStats = new ArrayList<>();
        int queued = 0;
        int running = 0;
        long completed = 0;
        long dropped = 0;
        Map<Reason, Long> rejected = new EnumMap<>(Reason.class);
        for (LaneImpl lane : lanes) {
            LaneStats s = lane.stats();
            laneStats.add(s);
            queued += s.queued();
            running += s.running();
            completed += s.completed();
            dropped += s.dropped();
            s.rejected().forEach((reason, count) -> rejected.merge(reason, count, Long::sum));
        }
        return new ComputePoolStats(config.threads(), config.kind(), nicenessApplied(), queued, running,
                completed, rejected, dropped, Duration.ofNanos(serviceTime.nanos()), laneStats);
    }

    public boolean nicenessApplied() {
        return dispatcher.nicenessApplied();
    }

    public boolean isShutdown() {
        return !accepting;
    }

    /**
     * See {@link io.cadre.compute.ComputePool#shutdown(long)}. If the calling thread is
     * interrupted, it stops waiting for the drain, stops the pool at once and keeps its
     * interrupt status.
     */
    public boolean shutdown(long drainMillis) {
        long deadline = deadlineAfter(drainMillis);
        accepting = false;
        boolean locked;
        try {
            locked = shutdownLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // interrupted: no drain, the pool stops at once (another shutdown may be draining: both sweeps are safe)
            stopped = true;
            sweep();
            dispatcher.interruptAll();
            Thread.currentThread().interrupt();
            return false;
        }
        if (locked) {
            try {
                if (!stopped) {
                    inFlight.awaitZero(deadline);
                    stopped = true;
                    sweep();
                    dispatcher.interruptAll();
                }
            } finally {
                shutdownLock.unlock();
            }
        }
        return dispatcher.awaitTermination(deadline);
    }

    public boolean awaitTermination(long timeoutMillis) {
        return dispatcher.awaitTermination(deadlineAfter(timeoutMillis));
    }

    private static long deadlineAfter(long millis) {
        long nanos = Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis)), Long.MAX_VALUE / 4);
        return System.nanoTime() + nanos;
    }

    // ---- for lanes, tasks and dispatchers

    long now() {
        return clock.getAsLong();
    }

    boolean stopped() {
        return stopped;
    }

    /** Counts a task in, unless the pool no longer accepts; then the caller refuses it. */
    boolean admit() {
        inFlight.increment();
        if (accepting) {
            return true;
        }
        taskDone();
        return false;
    }

    /** Counts a task out: it finished, was refused after admission, dropped or cancelled. */
    void taskDone() {
        inFlight.decrement(!accepting);
    }

    /** Hands a task that holds a lane slot to the dispatcher. Never blocks. */
    void dispatch(ComputeTask<?> task) {
        runQueue.offer(task);
        dispatcher.taskQueued();
        sweepIfStopped();
    }

    void sweepIfStopped() {
        if (stopped) {
            sweep();
        }
    }

    private void sweep() {
        ComputeTask<?> task;
        while ((task = runQueue.poll()) != null) {
            task.refuseQueued(true);
        }
        lanes.forEach(LaneImpl::cancelPending);
    }
}
