package io.cadre.internal.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram over {@link Buckets}: a {@link LongAdder} per bucket and one for the sum, so
 * recording is two uncontended additions and never blocks. Counts are cumulative since the
 * distribution was made. Thread-safe; a read taken while others record may miss their latest
 * observations, never tear one.
 */
public final class Distribution {
    private final LongAdder[] buckets = new LongAdder[Buckets.COUNT];
    private final LongAdder sumNanos = new LongAdder();

    public Distribution() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one observation of {@code nanos} (a negative one counts as 0). */
    public void record(long nanos) {
        long n = Math.max(0, nanos);
        buckets[Buckets.index(n)].increment();
        sumNanos.add(n);
    }

    /** The observations per bucket (not cumulative), {@code +Inf} last. */
    public long[] counts() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    /** The sum of the observations. UNIT: seconds. */
    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }
}
