package io.cadre.internal.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the hub's latency histograms as Prometheus classic histograms ({@code _bucket} with
 * {@code le}, {@code _sum}, {@code _count}), one family per name and one data point per worker
 * slot and label set. A Prometheus-client collector registered on Micrometer's registry: Micrometer's
 * own timers record observations themselves and cannot take buckets counted elsewhere.
 * Called on the scraping thread; reads the slots' immutable histogram maps without locking.
 */
final class HistogramCollector implements MultiCollector {
    private static final double[] BOUNDS = Buckets.upperBounds();

    private final MetricsHub hub;

    HistogramCollector(MetricsHub hub) {
        this.hub = hub;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, List<HistogramSnapshot.HistogramDataPointSnapshot>> families = new TreeMap<>();
        for (MetricsHub.Slot slot : hub.slots().values()) {
            slot.histograms.forEach((series, hist) -> {
                List<String> names = new ArrayList<>(List.of("worker"));
                List<String> values = new ArrayList<>(List.of(slot.label));
                series.labels().forEach((k, v) -> {
                    names.add(k);
                    values.add(v);
                });
                families.computeIfAbsent(series.name(), n -> new ArrayList<>()).add(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .labels(Labels.of(names, values))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, hist.buckets()))
                        .sum(hist.sum())
                        .build());
            });
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        families.forEach((name, points) -> {
            HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name);
            String help = Help.of(name);
            if (help != null) {
                b.help(help);
            }
            points.forEach(b::dataPoint);
            snapshots.add(b.build());
        });
        return new MetricSnapshots(snapshots);
    }
}
