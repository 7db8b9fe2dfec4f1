package io.cadre.internal.worker;

import io.cadre.ExecutionModel;
import io.cadre.Worker;
import io.cadre.internal.route.RouteSpec;
import io.cadre.internal.route.RouteTable;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.Methods;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every request, on the IO thread: counts it in flight, answers the health
 * endpoints in place, finds the route in the {@link RouteTable} (404, or 405 with {@code Allow}),
 * reads the body without blocking (413 over the limit), then runs filters and handler where the
 * route's {@link ExecutionModel} says: in place ({@code IO}), on a virtual thread ({@code WORKER})
 * or on the compute pool ({@code COMPUTE}). The reply is always written back on the IO thread.
 */
final class RootHandler implements HttpHandler {
    /** Resolved on first use: a worker's boot must not wait for the logging backend (see {@code Warmup}). */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(RootHandler.class);
    }

    private static final byte[] EMPTY = new byte[0];

    private final RouteTable routes;
    private final Invoker invoker;
    private final ServerState state;
    private final Executor requestThreads;
    private final ComputeRoutes compute;
    private final IoWatchdog watchdog;
    private final Worker worker;
    private final Runnable onFirstResponse;
    private final RouteMeters meters; // null when /metrics is off: nothing to record per request
    private volatile boolean servedOne;
    /** Counts the request out of flight when its exchange completes; one instance for every request. */
    private final io.undertow.server.ExchangeCompletionListener completion = (ex, next) -> {
        countOut();
        next.proceed();
    };

    RootHandler(RouteTable routes, Invoker invoker, ServerState state, Executor requestThreads, ComputeRoutes compute,
            IoWatchdog watchdog, Worker worker, Runnable onFirstResponse, RouteMeters meters) {
        this.watchdog = watchdog;
        this.meters = meters;
        this.routes = routes;
        this.invoker = invoker;
        this.state = state;
        this.requestThreads = requestThreads;
        this.compute = compute;
        this.worker = worker;
        this.onFirstResponse = onFirstResponse;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        IoWatchdog.Slot slot = watchdog.enter(exchange);
        try {
            route(exchange);
        } finally {
            IoWatchdog.exit(slot);
        }
    }

    private void route(HttpServerExchange exchange) {
        state.requestStarted();
        exchange.addExchangeCompleteListener(completion);
        String path = exchange.getRequestPath();
        if (path.equals("/health/live") || path.equals("/health/ready")) { // the app may route the rest of /health/
            if (meters != null) {
                exchange.addExchangeCompleteListener(meters.health(exchange.getRequestMethod(), path));
            }
            Responder.write(exchange, state, health(exchange, path));
            return;
        }
        RouteTable.Lookup lookup = routes.lookup(exchange.getRequestMethod().toString(), path);
        if (meters != null) {
            exchange.addExchangeCompleteListener(meters.of(lookup, exchange.getRequestMethod())); // counts it when answered
        }
        switch (lookup) {
            case RouteTable.Found found -> {
                if (!exchange.isRequestComplete() && hasBody(exchange)) {
                    if (io.undertow.server.protocol.http.HttpContinue.requiresContinueResponse(exchange)) {
                        // Expect: 100-continue: Undertow's handler sends the 100 when the body is first
                        // read; only here, so requests without a body pay nothing for it
                        try {
                            new io.undertow.server.handlers.HttpContinueReadHandler(ex -> readBody(ex, found)).handleRequest(exchange);
                        } catch (Exception e) {
                            Responder.write(exchange, state, bodyFailed(exchange, e));
                        }
                    } else {
                        readBody(exchange, found);
                    }
                } else {
                    run(exchange, found, EMPTY);
                }
            }
            case RouteTable.NotAllowed notAllowed -> Responder.write(exchange, state,
                    notAllowed(notAllowed.allowed(), exchange.getRequestMethod().toString(), path));
            case RouteTable.NotFound notFound -> Responder.write(exchange, state,
                    Reply.problem(404, "Not Found", "no route for " + path, path));
        }
    }

    private void countOut() {
        state.requestFinished();
        if (!servedOne) {
            servedOne = true;
            onFirstResponse.run();
        }
    }

    /** Reads the whole body without blocking, then runs the route; a body that fails is a 4xx. */
    private void readBody(HttpServerExchange exchange, RouteTable.Found found) {
        exchange.getRequestReceiver().receiveFullBytes(
                (ex, body) -> {
                    IoWatchdog.Slot slot = watchdog.enter(ex);
                    try {
                        run(ex, found, body);
                    } finally {
                        IoWatchdog.exit(slot);
                    }
                },
                (ex, error) -> Responder.write(ex, state, bodyFailed(ex, error)));
    }

    /** Runs the route on its execution model; called on the IO thread. */
    private void run(HttpServerExchange exchange, RouteTable.Found found, byte[] body) {
        RouteSpec route = found.route();
        ExchangeRequest request = new ExchangeRequest(exchange, body, worker, found.params(), route.info());
        // Every path that answers later dispatches the exchange first: an exchange that is neither
        // dispatched nor resumed when the handler returns is ended by Undertow, empty.
        switch (route.model()) {
            case IO -> {
                CompletableFuture<Reply> reply = invoker.invoke(route, request);
                if (reply.isDone()) {
                    Responder.write(exchange, state, reply.join());
                } else {
                    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> reply(exchange, reply));
                }
            }
            case WORKER -> exchange.dispatch(requestThreads, () -> reply(exchange, invoker.invoke(route, request)));
            case COMPUTE -> exchange.dispatch(SameThreadExecutor.INSTANCE,
                    () -> compute.run(exchange, route, () -> invoker.invoke(route, request), this::reply));
        }
    }

    /** Writes the reply once it is there, on the IO thread. */
    private void reply(HttpServerExchange exchange, CompletableFuture<Reply> reply) {
        reply.whenComplete((answer, error) -> {
            // the invoker's futures never fail; should one all the same, the exchange still ends
            Reply r = error == null ? answer : Reply.problem(500, "Internal Server Error", "the request failed",
                    exchange.getRequestPath());
            if (exchange.isInIoThread()) {
                Responder.write(exchange, state, r);
            } else {
                Responder.writeLater(exchange, state, r);
            }
        });
    }

    private static boolean hasBody(HttpServerExchange exchange) {
        long length = exchange.getRequestContentLength();
        return length > 0 || (length < 0 && exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING));
    }

    static Reply bodyFailed(HttpServerExchange exchange, Exception error) {
        // Undertow's receiver wraps what its asynchronous path meets in an IOException: look through it
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RequestTooBigException || t instanceof io.undertow.io.Receiver.RequestToLargeException) {
                return Reply.problem(413, "Content Too Large", "the request body is larger than the limit", exchange.getRequestPath());
            }
        }
        Log.log.debug("reading a request body failed", error);
        return Reply.problem(400, "Bad Request", "the request body could not be read", exchange.getRequestPath());
    }

    private static Reply notAllowed(java.util.Set<String> allowed, String method, String path) {
        return Reply.problem(405, "Method Not Allowed", method + " is not allowed on " + path, path)
                .withHeader("Allow", String.join(", ", allowed));
    }

    /** The answer of {@code /health/live} or {@code /health/ready} (the only paths that come here). */
    private Reply health(HttpServerExchange exchange, String path) {
        boolean live = path.equals("/health/live");
        if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            return notAllowed(java.util.Set.of("GET", "HEAD"), exchange.getRequestMethod().toString(), path);
        }
        boolean up = live || state.ready();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : (state.draining() ? "DRAINING" : "STARTING"));
        body.put("worker", worker.id());
        body.put("pid", worker.pid());
        body.put("cluster", state.clusterState());
        body.put("inFlight", state.inFlight());
        return Reply.json(up ? 200 : 503, Reply.JSON, body).withHeader("Cache-Control", "no-store");
    }
}
