package io.cadre.compute.isolated.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One breaker per job class: {@code crashes} crashes within {@code windowMillis} open it for
 * {@code cooldownMillis}; after the cool-down one job is let through (half-open): a crash opens the
 * breaker again at once, a success closes it. Guarded by the executor's lock.
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
        b.halfOpen = true;
        return 0;
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
