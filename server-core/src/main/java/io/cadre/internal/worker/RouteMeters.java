package io.cadre.internal.worker;

import io.cadre.internal.metrics.HttpMetrics;
import io.cadre.internal.route.RouteSpec;
import io.cadre.internal.route.RouteTable;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exchange-completion listeners that count every answered request in {@link HttpMetrics}: one
 * per declared route, made at startup, and one per method for the health endpoints and for
 * requests that match no route. A listener sees the final status of every way an exchange ends
 * (a handler's reply, a problem, a 404 or 405, a compute refusal, a body too large), and the time
 * since Undertow parsed the request ({@code RECORD_REQUEST_START_TIME}). Immutable after
 * construction but for the small per-method caches; thread-safe.
 */
final class RouteMeters {
    private static final List<HttpString> METHODS = List.of(Methods.GET, Methods.HEAD, Methods.POST, Methods.PUT, Methods.DELETE,
            Methods.PATCH, Methods.OPTIONS, Methods.TRACE, Methods.CONNECT);

    private final HttpMetrics metrics;
    private final Map<RouteSpec, ExchangeCompletionListener> byRoute = new IdentityHashMap<>();
    private final Map<String, ExchangeCompletionListener> others = new ConcurrentHashMap<>();

    RouteMeters(HttpMetrics metrics, List<RouteSpec> routes) {
        this.metrics = metrics;
        for (RouteSpec route : routes) {
            byRoute.put(route, listener(metrics.route(route.method(), route.template().toString())));
        }
    }

    /** The listener for a request that routing answered with {@code lookup}. */
    ExchangeCompletionListener of(RouteTable.Lookup lookup, HttpString method) {
        if (lookup instanceof RouteTable.Found found) {
            ExchangeCompletionListener l = byRoute.get(found.route());
            if (l != null) {
                return l;
            }
        }
        return other(method(method), HttpMetrics.UNMATCHED);
    }

    /** The listener for a request to {@code /health/...}. */
    ExchangeCompletionListener health(HttpString method, String path) {
        boolean known = RouteSpec.RESERVED_PATHS.contains(path);
        return other(method(method), known ? path : HttpMetrics.UNMATCHED);
    }

    private ExchangeCompletionListener other(String method, String route) {
        String key = route == HttpMetrics.UNMATCHED ? method : method + ' ' + route;
        ExchangeCompletionListener l = others.get(key);
        return l != null ? l : others.computeIfAbsent(key, k -> listener(metrics.route(method, route)));
    }

    /** The method's label: its name when a route could have it, else {@link HttpMetrics#OTHER_METHOD}. */
    private static String method(HttpString method) {
        for (HttpString m : METHODS) {
            if (m.equals(method)) {
                return m.toString();
            }
        }
        return HttpMetrics.OTHER_METHOD;
    }

    private static ExchangeCompletionListener listener(HttpMetrics.Route route) {
        return (exchange, next) -> {
            try {
                route.record(exchange.getStatusCode(), elapsed(exchange));
            } finally {
                next.proceed();
            }
        };
    }

    private static long elapsed(HttpServerExchange exchange) {
        long start = exchange.getRequestStartTime();
        return start == -1 ? 0 : System.nanoTime() - start;
    }
}
