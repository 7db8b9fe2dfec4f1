package io.cadre.compute.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An exponentially weighted moving average of run times: each new sample moves the mean by
 * {@value #WEIGHT} of its distance from it, so the mean follows the last ten or so tasks. Any
 * thread may record and read; a read sees every record that happened-before it.
 */
final class Ewma {
    static final double WEIGHT = 0.2;
    private static final long NO_SAMPLE = Double.doubleToRawLongBits(-1.0);

    private final AtomicLong meanBits = new AtomicLong(NO_SAMPLE);

    /** @param nanos one run time. UNIT: ns. */
    void record(long nanos) {
        meanBits.accumulateAndGet(Math.max(0, nanos), Ewma::next);
    }

    /** @return the mean run time, 0 before the first sample. UNIT: ns. */
    long nanos() {
        double mean = Double.longBitsToDouble(meanBits.get());
        return mean < 0 ? 0 : Math.round(mean);
    }

    private static long next(long previousBits, long sample) {
        double previous = Double.longBitsToDouble(previousBits);
        double mean = previous < 0 ? sample : previous + WEIGHT * (sample - previous);
        return Double.doubleToRawLongBits(mean);
    }
}
