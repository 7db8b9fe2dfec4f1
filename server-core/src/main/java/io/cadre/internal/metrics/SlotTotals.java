package io.cadre.internal.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One worker slot's metrics over all the processes it ran: the last cumulative snapshot of each
 * live process, and a base that holds what the slot's earlier processes counted. A counter's total
 * is the base plus every process's last value; a process's values only grow (a smaller one is
 * ignored), and its last ones stay in the total when it is gone, so totals never go backwards
 * across a replacement. A process silent for {@code foldAfterNanos} while a newer process of the
 * slot has reported is added to the base and forgotten; a frame that arrives from it later is
 * ignored. Gauges are the newest process's. Not thread-safe: the hub confines each slot to its lock.
 */
final class SlotTotals {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]*");

    /** A series: a metric name and its labels (the worker's, without {@code worker}). */
    record Series(String name, Map<String, String> labels) {
        Series {
            labels = Map.copyOf(labels);
        }
    }

    /** A histogram's observations per bucket of {@link Buckets} (not cumulative) and their sum in seconds. */
    record Hist(long[] buckets, double sum) {
        long count() {
            long n = 0;
            for (long b : buckets) {
                n += b;
            }
            return n;
        }

        Hist plus(Hist other) {
            long[] sumBuckets = buckets.clone();
            for (int i = 0; i < sumBuckets.length; i++) {
                sumBuckets[i] += other.buckets[i];
            }
            return new Hist(sumBuckets, sum + other.sum);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hist h && Arrays.equals(buckets, h.buckets) && Double.compare(sum, h.sum) == 0;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(buckets) * 31 + Double.hashCode(sum);
        }
    }

    private static final class Process {
        final Map<Series, Double> counters = new HashMap<>();
        final Map<Series, Hist> histograms = new HashMap<>();
        Map<Series, Double> gauges = Map.of();
        long lastNanos;
    }

    private final long foldAfterNanos;
    private final int maxSeries;
    private final Map<Series, Double> counterBase = new HashMap<>();
    private final Map<Series, Hist> histogramBase = new HashMap<>();
    private final TreeMap<Integer, Process> processes = new TreeMap<>();
    private final Set<Integer> folded = new HashSet<>();
    private int rejectedSeries;

    SlotTotals(long foldAfterMillis, int maxSeries) {
        this.foldAfterNanos = TimeUnit.MILLISECONDS.toNanos(foldAfterMillis);
        this.maxSeries = maxSeries;
    }

    /**
     * Takes the snapshot of the slot's process {@code generation}, received at {@code nowNanos}.
     * Returns false when it was ignored: a late frame from a process already folded into the base.
     */
    boolean accept(int generation, MetricsSnapshot snapshot, long nowNanos) {
        if (folded.contains(generation)) {
            return false;
        }
        Process p = processes.computeIfAbsent(generation, g -> new Process());
        p.lastNanos = nowNanos;
        for (MetricsSnapshot.Sample s : snapshot.counters()) {
            Series key = series(s.name(), s.labels(), s.value() >= 0 && Double.isFinite(s.value()));
            if (key != null && (p.counters.containsKey(key) || room(p))) {
                p.counters.merge(key, s.value(), Math::max); // a process's counts never go back
            }
        }
        for (MetricsSnapshot.Histogram h : snapshot.histograms()) {
            boolean valid = h.sum() >= 0 && Double.isFinite(h.sum()) && h.buckets().length == Buckets.COUNT
                    && Arrays.stream(h.buckets()).allMatch(b -> b >= 0);
            Series key = series(h.name(), h.labels(), valid);
            if (key == null) {
                continue;
            }
            Hist now = new Hist(h.buckets().clone(), h.sum());
            Hist before = p.histograms.get(key);
            if (before == null ? room(p) : now.count() >= before.count()) {
                p.histograms.put(key, now);
            }
        }
        Map<Series, Double> gauges = new HashMap<>();
        for (MetricsSnapshot.Sample s : snapshot.gauges()) {
            Series key = series(s.name(), s.labels(), Double.isFinite(s.value()));
            if (key != null && gauges.size() < maxSeries) {
                gauges.put(key, s.value());
            }
        }
        p.gauges = gauges;
        foldSilent(nowNanos);
        return true;
    }

    /** Every counter of the slot: base plus each process's last value. */
    Map<Series, Double> counters() {
        Map<Series, Double> totals = new HashMap<>(counterBase);
        for (Process p : processes.values()) {
            p.counters.forEach((k, v) -> totals.merge(k, v, Double::sum));
        }
        return totals;
    }

    /** Every histogram of the slot: base plus each process's last value. */
    Map<Series, Hist> histograms() {
        Map<Series, Hist> totals = new HashMap<>(histogramBase);
        for (Process p : processes.values()) {
            p.histograms.forEach((k, v) -> totals.merge(k, v, Hist::plus));
        }
        return totals;
    }

    /** The gauges of the slot's newest process. */
    Map<Series, Double> gauges() {
        return processes.isEmpty() ? Map.of() : processes.lastEntry().getValue().gauges;
    }

    /** The slot's newest generation that reported, or 0. */
    int newestGeneration() {
        return processes.isEmpty() ? 0 : processes.lastKey();
    }

    /** Processes of the slot that are still kept apart from the base. */
    int processesKept() {
        return processes.size();
    }

    /** Series dropped so far for a bad name, label, value or layout, or past the limit. */
    int rejectedSeries() {
        return rejectedSeries;
    }

    private void foldSilent(long nowNanos) {
        int newest = processes.lastKey();
        Iterator<Map.Entry<Integer, Process>> it = processes.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, Process> e = it.next();
            Process p = e.getValue();
            if (e.getKey() != newest && nowNanos - p.lastNanos > foldAfterNanos) {
                p.counters.forEach((k, v) -> counterBase.merge(k, v, Double::sum));
                p.histograms.forEach((k, v) -> histogramBase.merge(k, v, Hist::plus));
                folded.add(e.getKey());
                it.remove();
            }
        }
    }

    private boolean room(Process p) {
        if (p.counters.size() + p.histograms.size() < maxSeries) {
            return true;
        }
        rejectedSeries++;
        return false;
    }

    /** The series, or null (counted as rejected) when its name, labels or value cannot be exported. */
    private Series series(String name, Map<String, String> labels, boolean validValue) {
        if (!validValue || name == null || !METRIC_NAME.matcher(name).matches()) {
            rejectedSeries++;
            return null;
        }
        Map<String, String> clean = new TreeMap<>();
        for (Map.Entry<String, String> l : labels.entrySet()) {
            if (l.getKey() == null || l.getValue() == null || !LABEL_NAME.matcher(l.getKey()).matches() || l.getKey().equals("worker")) {
                rejectedSeries++;
                return null;
            }
            clean.put(l.getKey(), l.getValue());
        }
        return new Series(name, clean);
    }
}
