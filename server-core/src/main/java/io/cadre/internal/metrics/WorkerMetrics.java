package io.cadre.internal.metrics;

import io.cadre.compute.ComputePoolStats;
import io.cadre.compute.ComputeRejectedException;
import io.cadre.compute.LaneStats;
import io.cadre.compute.isolated.IsolatedExecutor;
import io.cadre.compute.isolated.IsolatedJobException;
import io.cadre.compute.isolated.IsolatedStats;
import io.cadre.internal.util.Proc;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Everything one worker process measures for the primary's {@code /metrics}: requests per route
 * and status ({@link HttpMetrics}), its compute pool (queue depth, wait and run time, refusals),
 * its isolated executors, its memory. {@link #snapshot} turns it into the payload of a
 * {@code METRICS} frame. Thread-safe.
 */
public final class WorkerMetrics {
    private final HttpMetrics http = new HttpMetrics();
    /** Per compute lane: the time its tasks waited for a thread, and ran. */
    private final Map<String, Distribution[]> compute = new ConcurrentHashMap<>();
    private volatile Supplier<ComputePoolStats> computeStats = () -> null;
    private volatile IntSupplier inFlight = () -> 0;

    public HttpMetrics http() {
        return http;
    }

    /** How long the tasks of compute lane {@code lane} waited for a thread. */
    public Distribution computeWait(String lane) {
        return lane(lane)[0];
    }

    /** How long the tasks of compute lane {@code lane} ran. */
    public Distribution computeRun(String lane) {
        return lane(lane)[1];
    }

    /** Where the compute pool's counters come from (the pool's {@code stats()}); none until set. */
    public void computePool(Supplier<ComputePoolStats> stats) {
        this.computeStats = stats;
    }

    /** Where the requests in flight come from. */
    public void inFlight(IntSupplier requests) {
        this.inFlight = requests;
    }

    private Distribution[] lane(String lane) {
        return compute.computeIfAbsent(lane, k -> new Distribution[] {new Distribution(), new Distribution()});
    }

    /** What this process measured since it started, as {@code METRICS} sends it. */
    public MetricsSnapshot snapshot(long pid, int generation) {
        MetricsSnapshot.Builder b = new MetricsSnapshot.Builder();
        http.snapshot(b);
        b.gauge("cadre_http_requests_in_flight", inFlight.getAsInt());
        ComputePoolStats pool = computeStats.get();
        if (pool != null) {
            b.gauge("cadre_compute_threads", pool.threads());
            for (LaneStats lane : pool.lanes()) {
                String name = lane.name();
                b.gauge("cadre_compute_queue_depth", lane.queued(), "lane", name);
                b.gauge("cadre_compute_running", lane.running(), "lane", name);
                b.counter("cadre_compute_completed", lane.completed(), "lane", name);
                b.counter("cadre_compute_dropped", lane.dropped(), "lane", name);
                for (ComputeRejectedException.Reason reason : ComputeRejectedException.Reason.values()) {
                    b.counter("cadre_compute_rejected", lane.rejected(reason), "lane", name, "reason", reason.name());
                }
            }
        }
        compute.forEach((lane, d) -> {
            b.histogram("cadre_compute_wait_seconds", d[0], "lane", lane);
            b.histogram("cadre_compute_run_seconds", d[1], "lane", lane);
        });
        for (IsolatedExecutor executor : IsolatedExecutor.open()) {
            isolated(b, executor.config().name(), executor.stats());
        }
        Runtime rt = Runtime.getRuntime();
        long committed = rt.totalMemory();
        b.gauge("cadre_worker_heap_used_bytes", committed - rt.freeMemory());
        b.gauge("cadre_worker_heap_committed_bytes", committed);
        b.gauge("cadre_worker_heap_max_bytes", rt.maxMemory());
        b.gauge("cadre_worker_rss_bytes", Proc.residentBytes());
        b.gauge("cadre_worker_generation", generation);
        return b.build(pid, generation);
    }

    private static void isolated(MetricsSnapshot.Builder b, String name, IsolatedStats s) {
        b.gauge("cadre_isolated_pool_size", s.poolSize(), "executor", name);
        b.gauge("cadre_isolated_children_live", s.liveChildren(), "executor", name);
        b.gauge("cadre_isolated_children_busy", s.busyChildren(), "executor", name);
        b.gauge("cadre_isolated_queue_depth", s.queueDepth(), "executor", name);
        b.gauge("cadre_isolated_breakers_open", s.openBreakers().size(), "executor", name);
        b.counter("cadre_isolated_jobs_submitted", s.submitted(), "executor", name);
        b.counter("cadre_isolated_jobs_succeeded", s.succeeded(), "executor", name);
        b.counter("cadre_isolated_jobs_failed", s.failed(), "executor", name);
        b.counter("cadre_isolated_jobs_rejected", s.rejected(), "executor", name);
        b.counter("cadre_isolated_children_started", s.childrenStarted(), "executor", name);
        for (IsolatedJobException.Kind kind : IsolatedJobException.Kind.values()) {
            b.counter("cadre_isolated_failures", s.failuresByKind().getOrDefault(kind, 0L), "executor", name, "kind", kind.name());
        }
    }
}
