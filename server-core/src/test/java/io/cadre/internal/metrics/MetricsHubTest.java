package io.cadre.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.FrameType;
import io.cadre.internal.ipc.MalformedFrameException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The primary's hub: totals over a slot's processes, folding across replacements, and the exposition. */
class MetricsHubTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final String PLAIN = "cadre_http_requests_total{method=\"GET\",route=\"/plaintext\",status=\"200\",worker=\"1\"}";

    final MetricsHub hub = new MetricsHub().enable();

    /** A worker's snapshot with {@code requests} answered on GET /plaintext, each taking 2 ms. */
    static MetricsSnapshot snapshot(long pid, int generation, long requests, long heap) {
        long[] buckets = new long[Buckets.COUNT];
        buckets[Buckets.index(TimeUnit.MILLISECONDS.toNanos(2))] = requests;
        return new MetricsSnapshot.Builder()
                .counter("cadre_http_requests", requests, "method", "GET", "route", "/plaintext", "status", "200")
                .histogram("cadre_http_request_duration_seconds", buckets, requests * 0.002, "method", "GET", "route", "/plaintext",
                        "status", "200")
                .gauge("cadre_worker_heap_used_bytes", heap)
                .build(pid, generation);
    }

    static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("%s in\n%s", series, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void countersAddUpTheProcessesOfASlotSoAReplacementNeverTakesThemBack() {
        hub.accept(1, 1, snapshot(100, 1, 5, 10), 0);
        hub.accept(1, 1, snapshot(100, 1, 7, 10), SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(7);

        // worker 1 was SIGKILLed; its replacement starts from zero
        hub.accept(1, 2, snapshot(200, 2, 0, 10), 3 * SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(7);
        hub.accept(1, 2, snapshot(200, 2, 3, 10), 4 * SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(10);

        // long after, the old process is folded into the slot's base: nothing changes
        hub.accept(1, 2, snapshot(200, 2, 4, 10), 20 * SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(11);
        assertThat(hub.slots().get(1).totals.processesKept()).isEqualTo(1);

        // a late frame from the folded process is ignored, not counted twice
        hub.accept(1, 1, snapshot(100, 1, 7, 10), 21 * SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(11);

        // and a third generation adds on top of both
        hub.accept(1, 3, snapshot(300, 3, 2, 10), 22 * SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(13);
    }

    @Test
    void anOldAndANewProcessThatReportTogetherDuringARollingRestartAreBothCounted() {
        hub.accept(1, 1, snapshot(100, 1, 10, 10), 0);
        hub.accept(1, 2, snapshot(200, 2, 1, 10), SECOND);
        hub.accept(1, 1, snapshot(100, 1, 12, 10), 2 * SECOND); // the old one drains, still answering
        hub.accept(1, 2, snapshot(200, 2, 3, 10), 2 * SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(15);
        hub.accept(1, 2, snapshot(200, 2, 4, 10), 10 * SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(16);
    }

    @Test
    void aProcessCounterThatComesBackSmallerIsIgnored() {
        hub.accept(1, 1, snapshot(100, 1, 9, 10), 0);
        hub.accept(1, 1, snapshot(100, 1, 4, 10), SECOND);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(9);
    }

    @Test
    void workersAreTaggedApartAndHistogramsRenderAsPrometheusHistograms() {
        hub.accept(1, 1, snapshot(100, 1, 5, 10), 0);
        hub.accept(2, 1, snapshot(101, 1, 6, 10), 0);
        hub.accept(2, 2, snapshot(102, 2, 1, 10), SECOND);
        String text = hub.scrape();

        assertThat(value(text, PLAIN.replace("worker=\"1\"", "worker=\"2\""))).isEqualTo(7);
        assertThat(text).contains("# TYPE cadre_http_requests_total counter");
        assertThat(text).contains("# TYPE cadre_http_request_duration_seconds histogram");
        String labels = "method=\"GET\",route=\"/plaintext\",status=\"200\",worker=\"2\"";
        assertThat(value(text, "cadre_http_request_duration_seconds_count{" + labels + "}")).isEqualTo(7);
        assertThat(value(text, "cadre_http_request_duration_seconds_sum{" + labels + "}")).isCloseTo(0.014, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(value(text, "cadre_http_request_duration_seconds_bucket{" + labels + ",le=\"0.001\"}"))
                .isZero();
        assertThat(value(text, "cadre_http_request_duration_seconds_bucket{" + labels + ",le=\"0.0025\"}"))
                .isEqualTo(7);
        assertThat(value(text, "cadre_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"}"))
                .isEqualTo(7);
    }

    @Test
    void gaugesAreTheNewestProcessesAndLeaveWithTheirSlot() {
        hub.accept(1, 1, snapshot(100, 1, 1, 1000), 0);
        hub.accept(1, 2, snapshot(200, 2, 1, 2000), SECOND);
        hub.accept(1, 1, snapshot(100, 1, 1, 1500), 2 * SECOND); // the draining old process does not set them
        assertThat(value(hub.scrape(), "cadre_worker_heap_used_bytes{worker=\"1\"}")).isEqualTo(2000);

        hub.slotRemoved(1);
        assertThat(hub.scrape()).doesNotContain("cadre_worker_heap_used_bytes{").contains(PLAIN);
    }

    @Test
    void aDeadProcessLeavesNoFrozenGaugesAndItsLateFrameBringsNoneBack() {
        hub.accept(1, 1, snapshot(100, 1, 4, 1000), 0);
        hub.processGone(1, 1); // crashed: nothing measures the slot until its replacement reports
        assertThat(hub.scrape()).doesNotContain("cadre_worker_heap_used_bytes{").contains(PLAIN);
        hub.accept(1, 1, snapshot(100, 1, 5, 1000), SECOND); // its last frame, read after its exit
        assertThat(hub.scrape()).doesNotContain("cadre_worker_heap_used_bytes{");
        assertThat(value(hub.scrape(), PLAIN)).as("but its count").isEqualTo(5);
        hub.accept(1, 2, snapshot(200, 2, 1, 3000), 2 * SECOND);
        assertThat(value(hub.scrape(), "cadre_worker_heap_used_bytes{worker=\"1\"}")).isEqualTo(3000);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(6);
        hub.processGone(1, 1); // an older generation's exit leaves the newest one's gauges alone
        assertThat(value(hub.scrape(), "cadre_worker_heap_used_bytes{worker=\"1\"}")).isEqualTo(3000);
    }

    @Test
    void restartsAreCountedByCauseAndTheBreakerIsAGauge() {
        hub.restart(2, "signal");
        hub.restart(2, "signal");
        hub.restart(1, "Boot Timeout");
        hub.breakerOpen(true);
        String text = hub.scrape();
        assertThat(value(text, "cadre_worker_restarts_total{cause=\"signal\",worker=\"2\"}")).isEqualTo(2);
        assertThat(value(text, "cadre_worker_restarts_total{cause=\"boot_timeout\",worker=\"1\"}")).isEqualTo(1);
        assertThat(value(text, "cadre_crash_breaker_open")).isEqualTo(1);
    }

    @Test
    void seriesThatCannotBeExportedAreDroppedAndTheRestKept() {
        MetricsSnapshot bad = new MetricsSnapshot.Builder()
                .counter("bad name", 1)
                .counter("cadre_x", 1, "worker", "9")
                .counter("cadre_y", Double.NaN)
                .histogram("cadre_z_seconds", new long[] {1, 2}, 0.1)
                .counter("cadre_ok", 3, "kind", "fine")
                .build(1, 1);
        hub.accept(1, 1, bad, 0);
        String text = hub.scrape();
        assertThat(value(text, "cadre_ok_total{kind=\"fine\",worker=\"1\"}")).isEqualTo(3);
        assertThat(text).doesNotContain("cadre_x").doesNotContain("cadre_y").doesNotContain("cadre_z");
        assertThat(hub.slots().get(1).totals.rejectedSeries()).isEqualTo(4);
    }

    @Test
    void framesTravelAsJsonAndAHubThatIsOffKeepsNothing() throws MalformedFrameException {
        Frame frame = Frame.json(FrameType.METRICS, snapshot(100, 1, 5, 10));
        hub.accept(1, 1, frame);
        assertThat(value(hub.scrape(), PLAIN)).isEqualTo(5);

        MetricsHub off = new MetricsHub();
        off.accept(1, 1, frame);
        off.restart(1, "crash");
        assertThat(off.enabled()).isFalse();
        assertThat(off.scrape()).isEmpty();
        assertThat(off.slots()).isEmpty();
    }

    @Test
    void aFrameThatIsNotASnapshotIsMalformed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> hub.accept(1, 1, new Frame(FrameType.METRICS, "[1,2]".getBytes())))
                .isInstanceOf(MalformedFrameException.class);
    }
}
