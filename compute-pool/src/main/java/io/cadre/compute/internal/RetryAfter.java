package io.cadre.compute.internal;

/**
 * The Retry-After a refusal carries: how long the tasks already waiting in the lane will take to
 * drain through its slots,
 * <pre>
 *   retryAfter = max(1, ceil(queueDepth x recentServiceTime / maxConcurrency))   seconds
 * </pre>
 * where {@code queueDepth} is the lane's queued tasks at the refusal, {@code recentServiceTime} the
 * lane's mean recent run time, and {@code maxConcurrency} how many of them run at once (never more
 * than the pool's threads). It never says less than 1 s: HTTP's Retry-After has whole seconds.
 */
public final class RetryAfter {
    private RetryAfter() {
    }

    /**
     * @param queueDepth tasks waiting in the lane, at least 0
     * @param serviceNanos the lane's recent mean run time, at least 0. UNIT: ns.
     * @param concurrency how many of the lane's tasks run at once, at least 1
     * @return seconds to wait before retrying, at least 1 (saturates at {@link Long#MAX_VALUE})
     */
    public static long seconds(int queueDepth, long serviceNanos, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        if (queueDepth <= 0 || serviceNanos <= 0) {
            return 1;
        }
        double seconds = Math.ceil((double) queueDepth * serviceNanos / concurrency / 1e9);
        return Math.max(1, (long) seconds);
    }
}
