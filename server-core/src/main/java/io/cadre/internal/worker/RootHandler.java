package io.cadre.internal.worker;

import io.cadre.ExecutionModel;
import io.cadre.Worker;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every request, on the IO thread: counts it in flight, answers the health
 * endpoints in place, finds the route (404, 405 with {@code Allow}), reads the body without
 * blocking (413 over the limit), then runs the handler where its {@link ExecutionModel} says. The
 * reply is always written back on the IO thread. Routes are resolved once, here, into a map;
 * nothing is looked up reflectively per request.
 */
final class RootHandler implements HttpHandler {
    /** Resolved on first use: a worker's boot must not wait for the logging backend (see {@code Warmup}). */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(RootHandler.class);
    }

    private static final byte[] EMPTY = new byte[0];

    private final Map<String, Map<String, RouteSpec>> routes;
    private final ServerState state;
    private final Executor requestThreads;
    private final Worker worker;
    private final Runnable onFirstResponse;
    private volatile boolean servedOne;

    RootHandler(List<RouteSpec> specs, ServerState state, Executor requestThreads, Worker worker, Runnable onFirstResponse) {
        Map<String, Map<String, RouteSpec>> byPath = new LinkedHashMap<>();
        for (RouteSpec spec : specs) {
            byPath.computeIfAbsent(spec.path(), p -> new LinkedHashMap<>()).put(spec.method(), spec);
        }
        byPath.replaceAll((p, m) -> Map.copyOf(m));
        this.routes = Map.copyOf(byPath);
        this.state = state;
        this.requestThreads = requestThreads;
        this.worker = worker;
        this.onFirstResponse = onFirstResponse;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        state.requestStarted();
        exchange.addExchangeCompleteListener((ex, next) -> {
            state.requestFinished();
            if (!servedOne) {
                servedOne = true;
                onFirstResponse.run();
            }
            next.proceed();
        });
        String path = exchange.getRequestPath();
        if (path.startsWith("/health/")) {
            Responder.write(exchange, state, health(exchange, path));
            return;
        }
        Map<String, RouteSpec> byMethod = routes.get(path);
        if (byMethod == null) {
            Responder.write(exchange, state, Reply.problem(404, "Not Found", "no route for " + path, path));
            return;
        }
        String method = exchange.getRequestMethod().toString();
        RouteSpec route = byMethod.get(method);
        if (route == null && method.equals("HEAD")) {
            route = byMethod.get("GET");
        }
        if (route == null) {
            Responder.write(exchange, state, notAllowed(byMethod.keySet(), method, path));
            return;
        }
        RouteSpec target = route;
        if (hasBody(exchange)) {
            exchange.getRequestReceiver().receiveFullBytes(
                    (ex, body) -> run(ex, target, body),
                    (ex, error) -> Responder.write(ex, state, bodyFailed(ex, error)));
        } else {
            run(exchange, target, EMPTY);
        }
    }

    /** Runs the handler on its execution model; called on the IO thread. */
    private void run(HttpServerExchange exchange, RouteSpec route, byte[] body) {
        if (route.model() == ExecutionModel.IO) {
            Responder.write(exchange, state, invoke(exchange, route, body));
        } else {
            exchange.dispatch(requestThreads, () -> Responder.writeLater(exchange, state, invoke(exchange, route, body)));
        }
    }

    private Reply invoke(HttpServerExchange exchange, RouteSpec route, byte[] body) {
        Object result;
        try {
            result = route.handler().handle(new ExchangeRequest(exchange, body, worker));
        } catch (Exception | StackOverflowError e) {
            Log.log.error("route {} failed", route, e);
            return Reply.problem(500, "Internal Server Error", "the handler of " + route + " failed", exchange.getRequestPath());
        }
        try {
            return Reply.of(result);
        } catch (Exception e) {
            Log.log.error("route {} returned a value that could not be written", route, e);
            return Reply.problem(500, "Internal Server Error", "the result of " + route + " could not be written", exchange.getRequestPath());
        }
    }

    private static boolean hasBody(HttpServerExchange exchange) {
        long length = exchange.getRequestContentLength();
        return length > 0 || (length < 0 && exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING));
    }

    private static Reply bodyFailed(HttpServerExchange exchange, Exception error) {
        if (error instanceof RequestTooBigException) {
            return Reply.problem(413, "Content Too Large", "the request body is larger than the limit", exchange.getRequestPath());
        }
        Log.log.debug("reading a request body failed", error);
        return Reply.problem(400, "Bad Request", "the request body could not be read", exchange.getRequestPath());
    }

    private static Reply notAllowed(java.util.Set<String> methods, String method, String path) {
        TreeSet<String> allowed = new TreeSet<>(methods);
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return Reply.problem(405, "Method Not Allowed", method + " is not allowed on " + path, path)
                .withHeader("Allow", String.join(", ", allowed));
    }

    private Reply health(HttpServerExchange exchange, String path) {
        boolean live = path.equals("/health/live");
        if (!live && !path.equals("/health/ready")) {
            return Reply.problem(404, "Not Found", "no route for " + path, path);
        }
        if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            return notAllowed(java.util.Set.of("GET"), exchange.getRequestMethod().toString(), path);
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
