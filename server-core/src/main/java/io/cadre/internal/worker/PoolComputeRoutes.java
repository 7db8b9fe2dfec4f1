package io.cadre.internal.worker;

import io.cadre.CadreConfig;
import io.cadre.ExecutionModel;
import io.cadre.compute.ComputePool;
import io.cadre.compute.ComputePoolConfig;
import io.cadre.compute.ComputeRejectedException;
import io.cadre.compute.Lane;
import io.cadre.compute.LaneOptions;
import io.cadre.internal.route.RouteSpec;
import io.undertow.server.HttpServerExchange;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The worker's compute pool and one lane per {@code COMPUTE} route (its {@code @CpuBound} limits
 * on top of the pool's defaults). A refusal becomes a 503 problem with {@code Retry-After}; a
 * request whose client hung up while it waited is dropped without running ({@link ClientPresence}).
 * No pool is started for an app without compute routes.
 */
final class PoolComputeRoutes implements ComputeRoutes {
    private final ComputePool pool;
    private final Map<RouteSpec, Lane> lanes;
    /** Per compute route: how long its tasks waited for a thread, and ran (for /metrics). */
    private final Map<RouteSpec, io.cadre.internal.metrics.Distribution[]> timings = new IdentityHashMap<>();

    @Override
    public io.cadre.compute.ComputePoolStats stats() {
        return pool.stats();
    }

    private PoolComputeRoutes(ComputePool pool, Map<RouteSpec, Lane> lanes, io.cadre.internal.metrics.WorkerMetrics metrics) {
        this.pool = pool;
        this.lanes = lanes;
        for (RouteSpec route : lanes.keySet()) {
            timings.put(route, new io.cadre.internal.metrics.Distribution[] {
                metrics.computeWait(route.toString()), metrics.computeRun(route.toString())});
        }
    }

    /** The compute routes of {@code routes}; a pool only when there is at least one. */
    static ComputeRoutes create(List<RouteSpec> routes, CadreConfig config, int workers, io.cadre.internal.metrics.WorkerMetrics metrics) {
        List<RouteSpec> compute = routes.stream().filter(r -> r.model() == ExecutionModel.COMPUTE).toList();
        if (compute.isEmpty()) {
            return NONE;
        }
        CadreConfig.Compute c = config.compute();
        int threads = c.threadsFor(workers);
        LaneOptions base = LaneOptions.defaultsFor(threads);
        if (c.queue() > 0) {
            base = base.withQueue(c.queue());
        }
        if (c.queueTimeoutMillis() > 0) {
            base = base.withQueueTimeoutMillis(c.queueTimeoutMillis());
        }
        ComputePool pool = ComputePool.start(ComputePoolConfig.builder()
                .threads(threads)
                .kind(c.virtualThreads() ? ComputePoolConfig.Kind.VIRTUAL : ComputePoolConfig.Kind.PLATFORM)
                .niceness(c.niceness())
                .idleScheduling(c.idleScheduling())
                .defaultLane(base)
                .drainMillis(config.drainTimeoutMillis())
                .build());
        Map<RouteSpec, Lane> lanes = new IdentityHashMap<>();
        for (RouteSpec route : compute) {
            RouteSpec.ComputeOptions o = route.compute();
            LaneOptions lane = base;
            if (o.maxConcurrency() > 0) {
                lane = lane.withMaxConcurrency(Math.min(o.maxConcurrency(), threads));
            }
            if (o.queue() >= 0) {
                lane = lane.withQueue(o.queue());
            }
            if (o.queueTimeoutMillis() > 0) {
                lane = lane.withQueueTimeoutMillis(o.queueTimeoutMillis());
            }
            lanes.put(route, pool.lane(route.toString(), lane));
        }
        return new PoolComputeRoutes(pool, lanes, metrics);
    }

    @Override
    public void run(HttpServerExchange exchange, RouteSpec route, Supplier<CompletableFuture<Reply>> work,
            BiConsumer<HttpServerExchange, CompletableFuture<Reply>> reply) {
        io.cadre.internal.metrics.Distribution[] timing = timings.get(route);
        long queuedAt = System.nanoTime();
        Callable<CompletableFuture<Reply>> task = () -> {
            long startedAt = System.nanoTime();
            timing[0].record(startedAt - queuedAt);
            try {
                return work.get();
            } finally {
                timing[1].record(System.nanoTime() - startedAt);
            }
        };
        lanes.get(route).submit(task, () -> ClientPresence.stillThere(exchange)).whenComplete((outcome, error) -> {
            if (error == null) {
                reply.accept(exchange, outcome);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof CancellationException) {
                exchange.getIoThread().execute(() -> { // the client left: close its connection and free the exchange, answer nothing
                    if (!exchange.isResponseStarted()) {
                        exchange.setStatusCode(499); // what the metrics record for it (nginx's "client closed request"), not a 200
                    }
                    org.xnio.IoUtils.safeClose(exchange.getConnection());
                    exchange.endExchange();
                });
            } else if (cause instanceof ComputeRejectedException rejected) {
                reply.accept(exchange, CompletableFuture.completedFuture(refusal(route, exchange, rejected)));
            } else {
                reply.accept(exchange, CompletableFuture.completedFuture(
                        Reply.problem(500, "Internal Server Error", "the compute task of " + route + " failed", exchange.getRequestPath())));
            }
        });
    }

    private static Reply refusal(RouteSpec route, HttpServerExchange exchange, ComputeRejectedException rejected) {
        String detail = switch (rejected.reason()) {
            case QUEUE_FULL -> "the compute queue of " + route + " is full";
            case QUEUE_TIMEOUT -> "the request waited too long for a compute thread";
            case SHUT_DOWN -> "the worker is shutting down";
        };
        return Reply.problem(503, "Service Unavailable", detail, exchange.getRequestPath())
                .withHeader("Retry-After", Long.toString(Math.max(1, rejected.retryAfterSeconds())));
    }

    @Override
    public void shutdown(long drainMillis) {
        pool.shutdown(drainMillis);
    }

    /** For an app without compute routes: nothing to run, nothing to stop. */
    static final ComputeRoutes NONE = new ComputeRoutes() {
        @Override
        public void run(HttpServerExchange exchange, RouteSpec route, Supplier<CompletableFuture<Reply>> work,
                BiConsumer<HttpServerExchange, CompletableFuture<Reply>> reply) {
            throw new IllegalStateException(route + " is not a compute route");
        }

        @Override
        public void shutdown(long drainMillis) {
        }
    };
}
