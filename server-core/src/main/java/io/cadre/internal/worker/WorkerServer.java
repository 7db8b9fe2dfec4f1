package io.cadre.internal.worker;

import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.Worker;
import io.cadre.internal.metrics.WorkerMetrics;
import io.cadre.internal.route.RouteTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

/**
 * Everything that serves requests in one worker, wired together: the route table, filters and
 * exception mappers, the request threads, the compute pool, the IO watchdog and the Undertow server
 * on its SO_REUSEPORT socket. Started once; stopped once, by the thread that drains the worker.
 */
final class WorkerServer {
    /** Keep-alive connections of a warm-up: enough to keep an IO thread and a request thread busy at once. */
    static final int WARM_UP_CONNECTIONS = 2;

    private final HttpServer http;
    private final IoWatchdog watchdog;
    private final ComputeRoutes compute;
    private final ExecutorService requestThreads;
    private final WorkerMetrics metrics;

    private WorkerServer(HttpServer http, IoWatchdog watchdog, ComputeRoutes compute, ExecutorService requestThreads, WorkerMetrics metrics) {
        this.metrics = metrics;
        this.http = http;
        this.watchdog = watchdog;
        this.compute = compute;
        this.requestThreads = requestThreads;
    }

    /**
     * Starts the server on {@code bind}. With {@code warmUp} (a replacement worker) and warm-up
     * paths configured, the server first answers its own warm-up requests on a private loopback
     * port, through a second root handler over the same routes, filters and threads whose
     * requests count in no HTTP metric (their own state, metrics that are thrown away, no first
     * response; the compute pool's timings do include them), and hands the outcome to the plan.
     *
     * @throws HttpServer.Cancelled when the plan was cancelled during the warm-up (the worker
     *     began to drain): the server never joined the shared port, and is stopped
     */
    static WorkerServer start(App app, CadreConfig config, int workers, InetSocketAddress bind, Worker worker, ServerState state,
            Runnable onFirstResponse, WarmUpRequests.Plan warmUpPlan) throws IOException {
        ExecutorService requestThreads = HttpServer.requestThreads();
        IoWatchdog watchdog = new IoWatchdog(config.http().ioStallWarnMillis()).start();
        WorkerMetrics metrics = new WorkerMetrics();
        metrics.inFlight(state::inFlight);
        ComputeRoutes compute = PoolComputeRoutes.create(app.routes(), config, workers, metrics);
        metrics.computePool(compute::stats);
        try {
            RouteTable table = new RouteTable(app.routes());
            Invoker invoker = new Invoker(app.filters(), app.exceptionMappers());
            CadreConfig.Operations ops = config.operations();
            boolean metered = ops.adminPort() != -1;
            RootHandler root = new RootHandler(table, invoker, state, requestThreads, compute, watchdog, worker, onFirstResponse,
                    metered ? new RouteMeters(metrics.http(), app.routes()) : null);
            HttpServer.WarmUp warmUp = null;
            if (warmUpPlan != null && !ops.warmUpPaths().isEmpty()) {
                if (warmUpPlan.maxMillis() <= 0) {
                    warmUpPlan.done().accept(new WarmUpRequests.Result(0, 0, true, java.util.Map.of()));
                } else {
                    RootHandler rehearsal = new RootHandler(table, invoker, new ServerState(), requestThreads, compute, watchdog, worker,
                            () -> {
                            }, metered ? new RouteMeters(new WorkerMetrics().http(), app.routes()) : null);
                    warmUp = new HttpServer.WarmUp(rehearsal, port -> {
                        WarmUpRequests.Result result = WarmUpRequests.run(port, ops.warmUpPaths(), ops.warmUpRequests(),
                                warmUpPlan.maxMillis(), WARM_UP_CONNECTIONS, warmUpPlan.cancelled());
                        if (!warmUpPlan.cancelled().getAsBoolean()) {
                            warmUpPlan.done().accept(result);
                        }
                    }, warmUpPlan.cancelled());
                }
            }
            return new WorkerServer(HttpServer.start(config, bind, root, requestThreads, warmUp), watchdog, compute, requestThreads, metrics);
        } catch (IOException | RuntimeException e) {
            compute.shutdown(0);
            watchdog.stop();
            requestThreads.shutdownNow();
            throw e;
        }
    }

    InetSocketAddress address() {
        return http.address();
    }

    /** What this server measures, for the primary's /metrics. */
    WorkerMetrics metrics() {
        return metrics;
    }

    /** Runs {@code then} once every IO thread has turned (a heartbeat that proves they all still do). */
    void afterEveryIoThread(Runnable then) {
        http.afterEveryIoThread(then);
    }

    /** Tasks queued on the compute pool now; 0 without a pool. */
    int computeQueue() {
        io.cadre.compute.ComputePoolStats stats = compute.stats();
        return stats == null ? 0 : stats.queued();
    }

    /** Leaves the SO_REUSEPORT group; accepted connections go on. */
    void stopAccepting() throws IOException {
        http.stopAccepting();
    }

    /** Closes connections (waiting at most {@code graceMillis}) and stops the compute pool within {@code drainMillis}. */
    void stop(long graceMillis, long drainMillis) {
        http.stop(graceMillis);
        compute.shutdown(drainMillis);
        watchdog.stop();
        requestThreads.shutdownNow();
    }
}
