package io.cadre.internal.worker;

import io.cadre.internal.route.RouteSpec;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** Runs the {@code COMPUTE} routes of a worker on its compute pool. Called on the IO thread. */
interface ComputeRoutes {
    /**
     * Queues {@code work} on the route's lane. When it has run, or been refused (a 503 problem with
     * {@code Retry-After}), hands the reply to {@code reply}; when the client went away before it
     * ran, ends the exchange without running it.
     */
    void run(HttpServerExchange exchange, RouteSpec route, Supplier<CompletableFuture<Reply>> work,
            BiConsumer<HttpServerExchange, CompletableFuture<Reply>> reply);

    /** Stops the pool, finishing or cancelling queued work within {@code drainMillis}. */
    void shutdown(long drainMillis);

    /** The pool's counters, or null when the app has no compute route (no pool runs). */
    default io.cadre.compute.ComputePoolStats stats() {
        return null;
    }
}
