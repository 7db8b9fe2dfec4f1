package io.cadre.internal.worker;

import io.cadre.internal.util.Json;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Work every worker must do before it serves, started on a second thread at the very beginning of
 * boot so that it overlaps the IPC handshake and the HTTP server start: the logging backend's
 * initialization, the HTTP date formatter (and the locale data under it), and Jackson's first use. Each takes tens to hundreds of milliseconds cold; classes
 * on the boot path resolve their loggers lazily so that they do not wait for the first. Readiness
 * then means warm, not merely listening.
 */
final class Warmup {
    private Warmup() {
    }

    /** Starts the warm-up on a daemon thread named {@code cadre-warmup}. */
    static Thread start() {
        return Thread.ofPlatform().name("cadre-warmup").daemon().start(Warmup::run);
    }

    private static void run() {
        LoggerFactory.getILoggerFactory();
        io.undertow.util.DateUtils.toDateString(new java.util.Date()); // the Date header's formatter and locale data
        try {
            Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(Map.of("status", "UP", "worker", 1)));
        } catch (Exception e) {
            // a real use reports real problems
        }
    }
}
