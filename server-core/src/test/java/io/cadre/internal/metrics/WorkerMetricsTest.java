package io.cadre.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The worker's side: the bucket layout, distributions, and what a snapshot carries. */
class WorkerMetricsTest {
    @Test
    void aDurationFallsInTheFirstBucketWhoseBoundHoldsIt() {
        double[] bounds = Buckets.upperBounds();
        assertThat(bounds[bounds.length - 1]).isInfinite();
        assertThat(Buckets.index(0)).isZero();
        assertThat(Buckets.index(100_000)).isZero(); // exactly 0.0001 s: le is inclusive
        assertThat(Buckets.index(100_001)).isEqualTo(1);
        assertThat(bounds[Buckets.index(TimeUnit.MILLISECONDS.toNanos(7))]).isEqualTo(0.01);
        assertThat(Buckets.index(TimeUnit.MINUTES.toNanos(5))).isEqualTo(Buckets.COUNT - 1);
    }

    @Test
    void aSnapshotCountsEveryRouteAndStatusWithItsLatency() {
        WorkerMetrics metrics = new WorkerMetrics();
        HttpMetrics.Route plain = metrics.http().route("GET", "/plaintext");
        for (int i = 0; i < 3; i++) {
            plain.record(200, TimeUnit.MILLISECONDS.toNanos(1));
        }
        plain.record(503, TimeUnit.MILLISECONDS.toNanos(2));
        metrics.http().route("GET", HttpMetrics.UNMATCHED).record(404, 1_000);
        metrics.computeWait("GET /compute").record(5_000);

        MetricsSnapshot s = metrics.snapshot(42, 3);

        assertThat(s.pid()).isEqualTo(42);
        assertThat(s.generation()).isEqualTo(3);
        assertThat(s.counters()).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo("cadre_http_requests");
            assertThat(c.labels()).containsEntry("route", "/plaintext").containsEntry("status", "200").containsEntry("method", "GET");
            assertThat(c.value()).isEqualTo(3);
        });
        assertThat(s.counters()).anySatisfy(c -> {
            assertThat(c.labels()).containsEntry("route", "/plaintext").containsEntry("status", "503");
            assertThat(c.value()).isEqualTo(1);
        });
        assertThat(s.counters()).anySatisfy(c -> assertThat(c.labels()).containsEntry("route", "UNMATCHED").containsEntry("status", "404"));
        assertThat(s.histograms()).anySatisfy(h -> {
            assertThat(h.name()).isEqualTo("cadre_http_request_duration_seconds");
            assertThat(h.labels()).containsEntry("status", "200");
            assertThat(h.count()).isEqualTo(3);
            assertThat(h.sum()).isEqualTo(0.003);
        });
        assertThat(s.histograms()).anySatisfy(h -> {
            assertThat(h.name()).isEqualTo("cadre_compute_wait_seconds");
            assertThat(h.labels()).containsEntry("lane", "GET /compute");
        });
        assertThat(s.gauges()).anySatisfy(g -> {
            assertThat(g.name()).isEqualTo("cadre_worker_rss_bytes");
            assertThat(g.value()).isPositive();
        });
        assertThat(s.gauges()).anySatisfy(g -> {
            assertThat(g.name()).isEqualTo("cadre_worker_heap_used_bytes");
            assertThat(g.value()).isPositive();
        });
    }
}
