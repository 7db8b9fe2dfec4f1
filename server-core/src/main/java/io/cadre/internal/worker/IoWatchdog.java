package io.cadre.internal.worker;

import io.undertow.server.HttpServerExchange;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices an IO thread that stays busy with one request longer than a threshold (CPU work missing
 * {@code @CpuBound}, or blocking in a {@code @NonBlocking} route) and logs one warning with its
 * stack, once per stall. IO threads mark the start and end of the work Cadre runs on them
 * ({@link #enter}, {@link #exit}: two volatile writes); a daemon thread, {@code cadre-io-watchdog},
 * looks every quarter of the threshold.
 */
final class IoWatchdog {
    /** Resolved on first use: a worker's boot must not wait for the logging backend (see {@code Warmup}). */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(IoWatchdog.class);
    }

    /** One IO thread's state; written by that thread, read by the watchdog. */
    static final class Slot {
        final Thread thread = Thread.currentThread();
        volatile long since;
        volatile HttpServerExchange what;
        long reported;
    }

    private final long thresholdNanos;
    private final java.util.function.Consumer<String> report;
    private final List<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> mine = ThreadLocal.withInitial(this::register);
    private volatile boolean stopped;

    IoWatchdog(long thresholdMillis) {
        this(thresholdMillis, message -> Log.log.warn(message));
    }

    IoWatchdog(long thresholdMillis, java.util.function.Consumer<String> report) {
        this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMillis);
        this.report = report;
    }

    /** Starts watching; returns this. */
    IoWatchdog start() {
        long every = Math.max(10, TimeUnit.NANOSECONDS.toMillis(thresholdNanos) / 4);
        Thread.ofPlatform().name("cadre-io-watchdog").daemon().start(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                check(System.nanoTime());
            }
        });
        return this;
    }

    void stop() {
        stopped = true;
    }

    /** The calling IO thread starts work on {@code what}; returns its slot for {@link #exit}. */
    Slot enter(HttpServerExchange what) {
        Slot slot = mine.get();
        slot.what = what;
        slot.since = System.nanoTime();
        return slot;
    }

    /** The work begun with {@link #enter} is over. */
    static void exit(Slot slot) {
        slot.since = 0;
    }

    void check(long now) {
        for (Slot slot : slots) {
            long since = slot.since;
            if (since != 0 && since != slot.reported && now - since > thresholdNanos) {
                slot.reported = since;
                StringBuilder stack = new StringBuilder();
                for (StackTraceElement e : slot.thread.getStackTrace()) {
                    stack.append("\n\tat ").append(e);
                }
                HttpServerExchange what = slot.what;
                String request = what == null ? "a request" : what.getRequestMethod() + " " + what.getRequestPath();
                report.accept("IO thread " + slot.thread.getName() + " has been busy with " + request + " for "
                        + TimeUnit.NANOSECONDS.toMillis(now - since) + " ms; an IO thread must never block or compute"
                        + " (mark CPU work @CpuBound, take @NonBlocking off blocking routes). Its stack:" + stack);
            }
        }
    }

    private Slot register() {
        Slot slot = new Slot();
        slots.add(slot);
        return slot;
    }
}
