package io.cadre.internal.worker;

import io.cadre.internal.util.Json;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Work every worker must do before it serves, started on a second thread at the very beginning of
 * boot (when the app calls {@code App.builder()}) so that it overlaps the IPC handshake and the HTTP server start: the logging backend's
 * initialization, the HTTP date formatter (and the locale data under it), and Jackson's first use. Each takes tens to hundreds of milliseconds cold; classes
 * on the boot path resolve their loggers lazily so that they do not wait for the first. Readiness
 * then means warm, not merely listening.
 */
public final class Warmup {
    private static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();

    private Warmup() {
    }

    /**
     * Starts the warm-up on a daemon thread named {@code cadre-warmup}, once per process, when this
     * process is a worker. Called as early as possible ({@code App.builder()}, before the app
     * builds its routes) so that the warm-up, which opens the application jar and initializes the
     * logging backend, overlaps the app's own setup, and again when the worker boots.
     */
    public static void startIfWorker() {
        if (WorkerEnv.isWorker(System.getenv()) && STARTED.compareAndSet(false, true)) {
            Thread.ofPlatform().name("cadre-warmup").daemon().start(Warmup::run);
        }
    }

    private static void run() {
        try { // the virtual-thread scheduler and its classes, which the IPC channel's first thread would otherwise set up
            Thread.ofVirtual().name("cadre-warmup-vt").start(() -> { }).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LoggerFactory.getILoggerFactory();
        io.undertow.util.DateUtils.toDateString(new java.util.Date()); // the Date header's formatter and locale data
        try {
            Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(Map.of("status", "UP", "worker", 1)));
        } catch (Exception e) {
            // a real use reports real problems
        }
    }
}
