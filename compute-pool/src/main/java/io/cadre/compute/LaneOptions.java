package io.cadre.compute;

/**
 * The limits of one {@link Lane}: how many of its tasks may run at once, how many may wait, and
 * for how long. Immutable; validated when built; checked against the pool by
 * {@link ComputePool#lane(String, LaneOptions)}.
 *
 * <p>A lane holds at most {@code maxConcurrency + queue} tasks. A task that holds one of the
 * lane's slots may still wait for a pool thread while other lanes keep every thread busy; the
 * lane's stats count it as queued until it starts, and the queue timeout applies to it too.
 *
 * @param maxConcurrency how many tasks of the lane may run at the same time. At least 1 and at
 *     most the pool's {@code threads}. UNIT: tasks. Default ({@link #defaultsFor(int)}): the pool's
 *     {@code threads}.
 * @param queue how many tasks of the lane may wait for one of its {@code maxConcurrency} slots;
 *     a submission beyond that is refused at once with
 *     {@link ComputeRejectedException.Reason#QUEUE_FULL}. 0 means "run now or refuse". At most
 *     {@value #MAX_QUEUE}. UNIT: tasks. Default: 2 x the pool's {@code threads}.
 * @param queueTimeoutMillis how long a task may have waited when it would start; a task that
 *     waited longer is not run and fails with
 *     {@link ComputeRejectedException.Reason#QUEUE_TIMEOUT}. At least 1. UNIT: ms. Default: 1000.
 */
public record LaneOptions(int maxConcurrency, int queue, long queueTimeoutMillis) {
    /** The largest {@code queue} accepted; the queue's storage is allocated up front. */
    public static final int MAX_QUEUE = 1 << 20;
    /** The default {@code queueTimeoutMillis}. UNIT: ms. */
    public static final long DEFAULT_QUEUE_TIMEOUT_MILLIS = 1000;

    /** Validates the limits; see the record description for the allowed ranges. */
    public LaneOptions {
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException(
                    "maxConcurrency must be at least 1 task, was " + maxConcurrency);
        }
        if (queue < 0 || queue > MAX_QUEUE) {
            throw new IllegalArgumentException(
                    "queue must be between 0 and " + MAX_QUEUE + " tasks, was " + queue);
        }
        if (queueTimeoutMillis < 1) {
            throw new IllegalArgumentException(
                    "queueTimeoutMillis must be at least 1 ms, was " + queueTimeoutMillis);
        }
    }

    /**
     * The default options for a pool of {@code poolThreads} threads: every thread may serve the
     * lane ({@code maxConcurrency = poolThreads}), {@code 2 x poolThreads} tasks may wait, and
     * none may wait longer than {@value #DEFAULT_QUEUE_TIMEOUT_MILLIS} ms.
     *
     * @param poolThreads the pool's size, at least 1
     * @return the defaults
     */
    public static LaneOptions defaultsFor(int poolThreads) {
        if (poolThreads < 1) {
            throw new IllegalArgumentException("poolThreads must be at least 1, was " + poolThreads);
        }
        long queue = Math.min(2L * poolThreads, MAX_QUEUE);
        return new LaneOptions(poolThreads, (int) queue, DEFAULT_QUEUE_TIMEOUT_MILLIS);
    }

    /** @return a copy with {@code maxConcurrency} replaced */
    public LaneOptions withMaxConcurrency(int maxConcurrency) {
        return new LaneOptions(maxConcurrency, queue, queueTimeoutMillis);
    }

    /** @return a copy with {@code queue} replaced */
    public LaneOptions withQueue(int queue) {
        return new LaneOptions(maxConcurrency, queue, queueTimeoutMillis);
    }

    /** @return a copy with {@code queueTimeoutMillis} replaced */
    public LaneOptions withQueueTimeoutMillis(long queueTimeoutMillis) {
        return new LaneOptions(maxConcurrency, queue, queueTimeoutMillis);
    }
}
