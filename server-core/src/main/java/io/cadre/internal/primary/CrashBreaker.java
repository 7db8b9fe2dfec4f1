package io.cadre.internal.primary;

import java.util.ArrayDeque;

/**
 * Counts worker crashes in a sliding window. When the crashes within {@code windowMillis} reach
 * {@code limit}, the breaker opens and stays open: no fork follows the crash that opened it, so a
 * worker that dies at boot is forked at most {@code limit} times in the window, and an
 * unconditional respawn loop (the fork bomb) cannot happen. Confined to the supervisor thread.
 */
final class CrashBreaker {
    private final int limit;
    private final long windowMillis;
    private final ArrayDeque<Long> crashes = new ArrayDeque<>();
    private boolean open;

    CrashBreaker(int limit, long windowMillis) {
        if (limit < 1 || windowMillis < 1) {
            throw new IllegalArgumentException("breaker needs limit >= 1 and window >= 1 ms");
        }
        this.limit = limit;
        this.windowMillis = windowMillis;
    }

    /** Records a crash at {@code nowMillis}; returns true when this crash opened the breaker. */
    boolean recordCrash(long nowMillis) {
        crashes.addLast(nowMillis);
        while (!crashes.isEmpty() && crashes.peekFirst() <= nowMillis - windowMillis) {
            crashes.removeFirst();
        }
        if (!open && crashes.size() >= limit) {
            open = true;
            return true;
        }
        return false;
    }

    boolean isOpen() {
        return open;
    }

    /** Crashes counted in the window as of the last crash. */
    int recentCrashes() {
        return crashes.size();
    }

    int limit() {
        return limit;
    }

    long windowMillis() {
        return windowMillis;
    }
}
