package io.cadre.internal.primary;

import java.util.random.RandomGenerator;

/**
 * Restart delays for one worker slot: {@code initial * 2^(attempt-1)}, capped at {@code max}, with
 * ±20% jitter so that slots crashing together do not restart together. Because doubling outgrows
 * the jitter (2 × 0.8 > 1.2), each delay before the cap is longer than the one before it.
 */
record Backoff(long initialMillis, long maxMillis) {
    static final double JITTER = 0.2;

    Backoff {
        if (initialMillis <= 0 || maxMillis < initialMillis) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, was " + initialMillis + ", " + maxMillis);
        }
    }

    /** The delay before restart number {@code attempt} (1 for the first restart). */
    long delayMillis(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1, was " + attempt);
        }
        double base = initialMillis * Math.pow(2, Math.min(attempt - 1, 62));
        double capped = Math.min(base, maxMillis);
        double jitter = 1 + JITTER * (2 * random.nextDouble() - 1);
        return Math.max(1, Math.min(maxMillis, Math.round(capped * jitter)));
    }
}
