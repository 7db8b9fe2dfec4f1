package io.cadre.internal.metrics;

import java.util.concurrent.TimeUnit;

/**
 * The one fixed bucket layout of every Cadre latency histogram, Prometheus style ({@code le}
 * upper bounds in seconds, the last bucket {@code +Inf}). Workers count into these buckets and the
 * primary adds them up over workers and over a slot's processes, which only works because the
 * layout is the same everywhere.
 */
public final class Buckets {
    /** Upper bounds in seconds, {@code +Inf} last. */
    private static final double[] BOUNDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
        Double.POSITIVE_INFINITY};
    /** The finite bounds in nanoseconds, for the hot path. */
    private static final long[] BOUNDS_NANOS = new long[BOUNDS.length - 1];

    static {
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS[i] * TimeUnit.SECONDS.toNanos(1));
        }
    }

    /** The number of buckets, {@code +Inf} included. */
    public static final int COUNT = BOUNDS.length;

    private Buckets() {
    }

    /** A copy of the upper bounds in seconds, {@code +Inf} last. */
    public static double[] upperBounds() {
        return BOUNDS.clone();
    }

    /** The bucket of a duration: the first whose upper bound is at least {@code nanos}. */
    static int index(long nanos) {
        int lo = 0;
        int hi = BOUNDS_NANOS.length; // the +Inf bucket
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (nanos <= BOUNDS_NANOS[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
