package io.cadre.internal.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A worker's answered requests per route and status, each with a latency {@link Distribution}.
 * The route is the declared method and path template ({@code GET /users/{id}}), never the request
 * path, so the series stay few; requests that match no route count under {@link #UNMATCHED}.
 * Recording (on the IO thread, as each exchange completes) is an array read and two
 * {@code LongAdder} additions. Thread-safe.
 */
public final class HttpMetrics {
    /** The route label of a request that matched no route (a 404 or 405). */
    public static final String UNMATCHED = "UNMATCHED";
    /** The method label of a method that no route can have. */
    public static final String OTHER_METHOD = "OTHER";
    static final String REQUESTS = "cadre_http_requests";
    static final String DURATION = "cadre_http_request_duration_seconds";

    private final Map<String, Route> routes = new ConcurrentHashMap<>();

    /** The meter of {@code method} and {@code route}, made on first use; keep it, it is meant to be looked up once. */
    public Route route(String method, String route) {
        return routes.computeIfAbsent(method + ' ' + route, k -> new Route(method, route));
    }

    /** Adds every (route, status) seen so far to {@code into}: a request counter and a latency histogram. */
    void snapshot(MetricsSnapshot.Builder into) {
        for (Route r : routes.values()) {
            for (int status = 0; status < r.byStatus.length(); status++) {
                Distribution d = r.byStatus.get(status);
                if (d == null) {
                    continue;
                }
                long[] counts = d.counts();
                long total = 0;
                for (long c : counts) {
                    total += c;
                }
                String[] labels = {"method", r.method, "route", r.route, "status", Integer.toString(status)};
                into.counter(REQUESTS, total, labels); // from the same read as the histogram: the two agree
                into.histogram(DURATION, counts, d.sumSeconds(), labels);
            }
        }
    }

    /** One route's requests by status. */
    public static final class Route {
        private final String method;
        private final String route;
        private final AtomicReferenceArray<Distribution> byStatus = new AtomicReferenceArray<>(600);

        private Route(String method, String route) {
            this.method = method;
            this.route = route;
        }

        /** Counts one answered request with {@code status} that took {@code nanos}. Any thread. */
        public void record(int status, long nanos) {
            int s = status < 100 || status > 599 ? 0 : status;
            Distribution d = byStatus.get(s);
            if (d == null) {
                Distribution made = new Distribution();
                d = byStatus.compareAndExchange(s, null, made);
                if (d == null) {
                    d = made;
                }
            }
            d.record(nanos);
        }
    }
}
