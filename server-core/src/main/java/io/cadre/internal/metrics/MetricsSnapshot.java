package io.cadre.internal.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The payload of a {@code METRICS} frame (JSON): what one worker process measured since it
 * started. Counters and histograms are cumulative, so a lost frame loses nothing and the primary
 * can add up processes; gauges are the value now. A series is a metric name (Prometheus style, no
 * {@code _total} suffix on counters) and its labels; the primary adds the {@code worker} label.
 * Every series of one name carries the same label names.
 *
 * @param pid the worker's process id
 * @param generation the worker's generation in its slot
 * @param counters cumulative counts
 * @param gauges values now
 * @param histograms cumulative latency histograms over {@link Buckets}
 */
public record MetricsSnapshot(long pid, int generation, List<Sample> counters, List<Sample> gauges, List<Histogram> histograms) {
    public MetricsSnapshot {
        counters = counters == null ? List.of() : List.copyOf(counters);
        gauges = gauges == null ? List.of() : List.copyOf(gauges);
        histograms = histograms == null ? List.of() : List.copyOf(histograms);
    }

    /** One counter or gauge value. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public Sample {
            labels = labels == null ? Map.of() : new TreeMap<>(labels);
        }
    }

    /**
     * One histogram: observations per bucket of {@link Buckets} (not cumulative, {@code +Inf}
     * last) and their sum in seconds.
     */
    public record Histogram(String name, Map<String, String> labels, long[] buckets, double sum) {
        public Histogram {
            labels = labels == null ? Map.of() : new TreeMap<>(labels);
            buckets = buckets == null ? new long[0] : buckets.clone();
        }

        /** The number of observations. */
        public long count() {
            long n = 0;
            for (long b : buckets) {
                n += b;
            }
            return n;
        }
    }

    /** Collects the series of one snapshot. Not thread-safe. */
    public static final class Builder {
        private final List<Sample> counters = new ArrayList<>();
        private final List<Sample> gauges = new ArrayList<>();
        private final List<Histogram> histograms = new ArrayList<>();

        public Builder counter(String name, double value, String... labels) {
            counters.add(new Sample(name, labels(labels), value));
            return this;
        }

        public Builder gauge(String name, double value, String... labels) {
            gauges.add(new Sample(name, labels(labels), value));
            return this;
        }

        public Builder histogram(String name, Distribution distribution, String... labels) {
            return histogram(name, distribution.counts(), distribution.sumSeconds(), labels);
        }

        /** @param buckets observations per bucket of {@link Buckets}, not cumulative */
        public Builder histogram(String name, long[] buckets, double sum, String... labels) {
            histograms.add(new Histogram(name, labels(labels), buckets, sum));
            return this;
        }

        public MetricsSnapshot build(long pid, int generation) {
            return new MetricsSnapshot(pid, generation, counters, gauges, histograms);
        }

        private static Map<String, String> labels(String... pairs) {
            if (pairs.length % 2 != 0) {
                throw new IllegalArgumentException("labels come in name, value pairs");
            }
            Map<String, String> map = new TreeMap<>();
            for (int i = 0; i < pairs.length; i += 2) {
                map.put(pairs[i], pairs[i + 1]);
            }
            return map;
        }
    }
}
