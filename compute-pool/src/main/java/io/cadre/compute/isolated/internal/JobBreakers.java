package io.cadre.compute.isolated.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One breaker per job class: {@code crashes} crashes within {@code windowMillis} open it for
 * {@code cooldownMillis}; after the cool-down one job is let through (half-open) and the others are
 * refused while it runs: a crash opens the breaker again at once, a success closes it, any other
 * end (the job threw, it was cancelled) lets the next one through as the trial. A trial that never
 * reports back frees the way after another cool-down. Guarded by the executor's lock.
 */
public final class JobBreakers {
    private final int crashes;
    private final long windowMillis;
    private final long cooldownMillis;
    private final Map<String, Breaker> breakers = new HashMap<>();

    private static final class Breaker {
        final ArrayDeque<Long> recent = new ArrayDeque<>();
        long openUntil = Long.MIN_VALUE;
        boolean halfOpen;
        long trialSince = Long.MIN_VALUE; // the half-open trial job's start, or MIN_VALUE when none runs
    }

    public JobBreakers(int crashes, long windowMillis, long cooldownMillis) {
        this.crashes = crashes;
        this.windowMillis = windowMillis;
        this.cooldownMillis = cooldownMillis;
    }

    /** How long {@code job} stays refused, or 0 when it may run. UNIT: ms. */
    public long refusedFor(String job, long nowMillis) {
        Breaker b = breakers.get(job);
        if (b == null || b.openUntil == Long.MIN_VALUE) {
            return 0;
        }
        if (nowMillis < b.openUntil) {
            return b.openUntil - nowMillis;
        }
        if (b.trialSince != Long.MIN_VALUE && nowMillis - b.trialSince < cooldownMillis) {
            return Math.max(1, Math.min(1_000, cooldownMillis - (nowMillis - b.trialSince))); // one trial at a time
        }
        b.halfOpen = true;
        b.trialSince = nowMillis;
        return 0;
    }

    /** A job of {@code job} ended neither in a crash nor in a success: a half-open breaker lets the next one try. */
    public void trialEnded(String job) {
        Breaker b = breakers.get(job);
        if (b != null) {
            b.trialSince = Long.MIN_VALUE;
        }
    }

    /** Counts a crash of {@code job}; true when this crash opened its breaker. */
    public boolean crashed(String job, long nowMillis) {
        Breaker b = breakers.computeIfAbsent(job, k -> new Breaker());
        b.recent.addLast(nowMillis);
        while (!b.recent.isEmpty() && b.recent.peekFirst() <= nowMillis - windowMillis) {
            b.recent.removeFirst();
        }
        if (b.halfOpen || b.recent.size() >= crashes) {
            boolean wasOpen = b.openUntil != Long.MIN_VALUE && nowMillis < b.openUntil;
            b.openUntil = nowMillis + cooldownMillis;
            b.halfOpen = false;
            b.trialSince = Long.MIN_VALUE;
            b.recent.clear();
            return !wasOpen;
        }
        return false;
    }

    /** A job of {@code job} succeeded: a half-open breaker closes. */
    public void succeeded(String job) {
        Breaker b = breakers.get(job);
        if (b != null && b.halfOpen) {
            breakers.remove(job);
        }
    }

    /** The job classes whose breaker is open now. */
    public List<String> open(long nowMillis) {
        return breakers.entrySet().stream().filter(e -> e.getValue().openUntil != Long.MIN_VALUE && nowMillis < e.getValue().openUntil)
                .map(Map.Entry::getKey).sorted().toList();
    }
}
