package io.cadre.compute;

import java.util.Objects;

/**
 * How a {@link ComputePool} is built. Immutable and validated: a bad value fails construction
 * with an {@link IllegalArgumentException} that names the field. Nothing changes after
 * {@link ComputePool#start(ComputePoolConfig)}.
 *
 * @param threads how many tasks the pool runs at once: platform threads for
 *     {@link Kind#PLATFORM}, permits for {@link Kind#VIRTUAL}. 1 to {@value #MAX_THREADS}. UNIT:
 *     threads. Default: {@link #defaultThreads(int) defaultThreads(1)}, one per core.
 * @param kind which threads run the tasks. Default: {@link Kind#PLATFORM}.
 * @param niceness the Linux nice value each platform compute thread gives itself when it starts,
 *     so that CPU-heavy work yields the CPU to the worker's IO and request threads; 0 leaves the
 *     priority as it is. Best effort, see {@link ComputePool#nicenessApplied()}. Ignored for
 *     {@link Kind#VIRTUAL}. 0 to 19. Default: {@value #DEFAULT_NICENESS}.
 * @param idleScheduling run each platform compute thread under Linux's {@code SCHED_IDLE} policy
 *     ({@code chrt --idle}): it gets a CPU only when no ordinary thread wants it, so compute work
 *     never delays IO or request threads, at the price of stalling (and timing out in its queue)
 *     while they keep every CPU busy. Best effort, like {@code niceness}; ignored for
 *     {@link Kind#VIRTUAL}. Default: false.
 * @param defaultLane the options of the lane that {@link ComputePool#submit(java.util.concurrent.Callable)}
 *     uses; {@code maxConcurrency} at most {@code threads}. Default:
 *     {@link LaneOptions#defaultsFor(int) LaneOptions.defaultsFor(threads)}.
 * @param drainMillis how long {@link ComputePool#close()} lets running and queued tasks finish
 *     before it cancels and interrupts them. At least 0. UNIT: ms. Default: 10000.
 */
public record ComputePoolConfig(int threads, Kind kind, int niceness, boolean idleScheduling, LaneOptions defaultLane,
        long drainMillis) {
    /** The largest pool accepted. */
    public static final int MAX_THREADS = 4096;
    /** The default {@code niceness}: nice 5 gets about a third of the CPU share of nice 0. */
    public static final int DEFAULT_NICENESS = 5;
    /** The default {@code drainMillis}. UNIT: ms. */
    public static final long DEFAULT_DRAIN_MILLIS = 10_000;

    /** Which threads run a pool's tasks. The lanes, limits and refusals are the same for both. */
    public enum Kind {
        /** A fixed set of platform threads, {@code cadre-compute-1..N}, daemon. */
        PLATFORM,
        /** A new virtual thread per task, {@code cadre-compute-vt-N}, at most {@code threads} at once. */
        VIRTUAL
    }

    /** Validates every field; see the record description for the allowed ranges. */
    public ComputePoolConfig {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(
                    "threads must be between 1 and " + MAX_THREADS + ", was " + threads);
        }
        Objects.requireNonNull(kind, "kind must not be null");
        if (niceness < 0 || niceness > 19) {
            throw new IllegalArgumentException("niceness must be between 0 (leave as is) and 19,"
                    + " was " + niceness + " (a negative value would raise compute threads above"
                    + " the request threads)");
        }
        Objects.requireNonNull(defaultLane, "defaultLane must not be null");
        if (defaultLane.maxConcurrency() > threads) {
            throw new IllegalArgumentException("defaultLane.maxConcurrency (" + defaultLane.maxConcurrency()
                    + ") must not exceed threads (" + threads + ")");
        }
        if (drainMillis < 0) {
            throw new IllegalArgumentException("drainMillis must be at least 0 ms, was " + drainMillis);
        }
    }

    /**
     * The default pool size on a host that runs {@code workersOnThisHost} worker JVMs. All pools
     * together must not run more CPU-bound threads than there are cores, so each worker gets
     * {@code max(1, C / N)} threads, where C is {@link Runtime#availableProcessors()} and N is
     * {@code workersOnThisHost}.
     *
     * @param workersOnThisHost how many worker JVMs share this host's cores, at least 1
     * @return the number of compute threads for one worker, at least 1
     */
    public static int defaultThreads(int workersOnThisHost) {
        if (workersOnThisHost < 1) {
            throw new IllegalArgumentException(
                    "workersOnThisHost must be at least 1, was " + workersOnThisHost);
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors() / workersOnThisHost);
    }

    /** @return the configuration with every default, for a host with one worker */
    public static ComputePoolConfig defaults() {
        return builder().build();
    }

    /** @return a builder that starts from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from this configuration */
    public Builder toBuilder() {
        return new Builder().threads(threads).kind(kind).niceness(niceness).idleScheduling(idleScheduling).defaultLane(defaultLane)
                .drainMillis(drainMillis);
    }

    /** Builds a {@link ComputePoolConfig}; not thread-safe, use it from one thread. */
    public static final class Builder {
        private int threads = defaultThreads(1);
        private Kind kind = Kind.PLATFORM;
        private int niceness = DEFAULT_NICENESS;
        private boolean idleScheduling;
        private LaneOptions defaultLane;
        private long drainMillis = DEFAULT_DRAIN_MILLIS;

        private Builder() {
        }

        /** @param threads see {@link ComputePoolConfig#threads()} @return this builder */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** @param kind see {@link ComputePoolConfig#kind()} @return this builder */
        public Builder kind(Kind kind) {
            this.kind = kind;
            return this;
        }

        /** @param niceness see {@link ComputePoolConfig#niceness()} @return this builder */
        public Builder niceness(int niceness) {
            this.niceness = niceness;
            return this;
        }

        /** @param idle see {@link ComputePoolConfig#idleScheduling()} @return this builder */
        public Builder idleScheduling(boolean idle) {
            this.idleScheduling = idle;
            return this;
        }

        /**
         * @param defaultLane see {@link ComputePoolConfig#defaultLane()}; null means the defaults
         *     for the pool's {@code threads}
         * @return this builder
         */
        public Builder defaultLane(LaneOptions defaultLane) {
            this.defaultLane = defaultLane;
            return this;
        }

        /** @param drainMillis see {@link ComputePoolConfig#drainMillis()} @return this builder */
        public Builder drainMillis(long drainMillis) {
            this.drainMillis = drainMillis;
            return this;
        }

        /** @return the validated configuration */
        public ComputePoolConfig build() {
            LaneOptions lane = defaultLane != null ? defaultLane
                    : LaneOptions.defaultsFor(Math.max(1, Math.min(threads, MAX_THREADS)));
            return new ComputePoolConfig(threads, kind, niceness, idleScheduling, lane, drainMillis);
        }
    }
}
