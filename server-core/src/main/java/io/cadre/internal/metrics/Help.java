package io.cadre.internal.metrics;

import java.util.Map;

/** The HELP text of Cadre's metrics, by the name a worker reports (counters without {@code _total}). */
final class Help {
    private static final Map<String, String> TEXT = Map.ofEntries(
            Map.entry(HttpMetrics.REQUESTS, "requests answered, by worker slot, method, route template and status"),
            Map.entry(HttpMetrics.DURATION, "time from the parsed request to the completed response, by worker slot, method, route and status"),
            Map.entry("cadre_http_requests_in_flight", "requests a worker is serving now"),
            Map.entry("cadre_compute_threads", "threads (or concurrent virtual threads) of a worker's compute pool"),
            Map.entry("cadre_compute_queue_depth", "compute tasks admitted and waiting for a thread, by lane"),
            Map.entry("cadre_compute_running", "compute tasks running now, by lane"),
            Map.entry("cadre_compute_completed", "compute tasks that ran to the end, by lane"),
            Map.entry("cadre_compute_dropped", "compute tasks not run because the client had gone, by lane"),
            Map.entry("cadre_compute_rejected", "compute tasks refused (503), by lane and reason"),
            Map.entry("cadre_compute_wait_seconds", "time a compute task waited for a thread, by lane"),
            Map.entry("cadre_compute_run_seconds", "time a compute task ran, by lane"),
            Map.entry("cadre_isolated_pool_size", "child JVMs an isolated executor keeps warm"),
            Map.entry("cadre_isolated_children_live", "child JVMs of an isolated executor ready now"),
            Map.entry("cadre_isolated_children_busy", "child JVMs of an isolated executor running a job now"),
            Map.entry("cadre_isolated_queue_depth", "isolated jobs waiting for a child now"),
            Map.entry("cadre_isolated_breakers_open", "job classes an isolated executor refuses now (their breaker is open)"),
            Map.entry("cadre_isolated_jobs_submitted", "isolated jobs submitted"),
            Map.entry("cadre_isolated_jobs_succeeded", "isolated jobs that returned output"),
            Map.entry("cadre_isolated_jobs_failed", "isolated jobs that failed after they were accepted"),
            Map.entry("cadre_isolated_jobs_rejected", "isolated jobs refused at submission"),
            Map.entry("cadre_isolated_children_started", "child JVMs an isolated executor started"),
            Map.entry("cadre_isolated_failures", "isolated job failures and refusals, by kind"),
            Map.entry("cadre_worker_heap_used_bytes", "heap in use in a worker's JVM"),
            Map.entry("cadre_worker_heap_committed_bytes", "heap committed by a worker's JVM"),
            Map.entry("cadre_worker_heap_max_bytes", "the most heap a worker's JVM may use"),
            Map.entry("cadre_worker_rss_bytes", "resident set size of a worker process (VmRSS)"),
            Map.entry("cadre_worker_generation", "the generation of the process that serves a worker slot now"));

    private Help() {
    }

    /** The help text of {@code name}, or null when Cadre does not know it. */
    static String of(String name) {
        return TEXT.get(name);
    }
}
