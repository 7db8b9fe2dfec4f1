package io.cadre.internal.metrics;

import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.MalformedFrameException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's view of the cluster's metrics, which {@link AdminServer} serves as Prometheus text.
 * Workers send cumulative {@link MetricsSnapshot}s in {@code METRICS} frames; per worker slot, a
 * {@link SlotTotals} adds up the slot's processes, so counters never go backwards when a worker is
 * replaced. Nothing is kept, and no registry exists, until {@link #enable()} (the admin port is on).
 *
 * <p>Exposition: counters are Micrometer {@link FunctionCounter}s and gauges Micrometer
 * {@link Gauge}s, tagged {@code worker=<slot>} plus the worker's own labels; the latency
 * histograms, whose buckets Micrometer cannot take from outside, are a Prometheus-client collector
 * ({@link HistogramCollector}) on the same registry, so one scrape renders both. Thread-safe:
 * frames arrive on IPC reader threads, restarts on the supervisor thread, scrapes on the admin
 * server's threads.
 */
public final class MetricsHub {
    private static final Logger log = LoggerFactory.getLogger(MetricsHub.class);
    /** A process of a slot that has a newer one is folded into the slot's base after this much silence. UNIT: ms. */
    static final long FOLD_AFTER_MILLIS = 5_000;
    /** The most series one slot's process may report; more are dropped (a bug in the worker, not a load). */
    static final int MAX_SERIES = 10_000;

    /** One slot's totals and the meters registered for them; guarded by its own lock. */
    static final class Slot {
        final String label;
        final SlotTotals totals = new SlotTotals(FOLD_AFTER_MILLIS, MAX_SERIES);
        final Map<SlotTotals.Series, Cell> counters = new HashMap<>();
        final Map<SlotTotals.Series, Cell> gauges = new HashMap<>();
        volatile Map<SlotTotals.Series, SlotTotals.Hist> histograms = Map.of();
        boolean warned;
        /** The newest generation that has exited: its late frames count, but its gauges stay gone. */
        int goneUpTo;

        Slot(int id) {
            this.label = Integer.toString(id);
        }
    }

    /** A value a meter reads at scrape time. */
    static final class Cell {
        volatile double value;
        Meter meter;

        double value() {
            return value;
        }
    }

    private final Map<Integer, Slot> slots = new ConcurrentSkipListMap<>();
    private final AtomicInteger breakerOpen = new AtomicInteger();
    private volatile PrometheusMeterRegistry registry;

    /** Makes the registry; from now on frames are kept and {@link #scrape()} answers. Idempotent. */
    public synchronized MetricsHub enable() {
        if (registry == null) {
            PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Gauge.builder("cadre_crash_breaker_open", breakerOpen, AtomicInteger::get)
                    .description("1 once the primary's crash breaker has opened (no more forks), else 0")
                    .register(r);
            r.getPrometheusRegistry().register(new HistogramCollector(this));
            registry = r;
        }
        return this;
    }

    public boolean enabled() {
        return registry != null;
    }

    /**
     * Takes a {@code METRICS} frame from the process {@code generation} of worker slot {@code slot}.
     * Called on that worker's IPC reader thread; a frame that is not a metrics snapshot is a
     * {@link MalformedFrameException}. Ignored while the hub is off.
     */
    public void accept(int slot, int generation, Frame frame) throws MalformedFrameException {
        if (registry == null) {
            return;
        }
        accept(slot, generation, frame.read(MetricsSnapshot.class), System.nanoTime());
    }

    void accept(int slotId, int generation, MetricsSnapshot snapshot, long nowNanos) {
        PrometheusMeterRegistry r = registry;
        if (r == null) {
            return;
        }
        Slot slot = slots.computeIfAbsent(slotId, Slot::new);
        synchronized (slot) {
            int rejected = slot.totals.rejectedSeries();
            if (!slot.totals.accept(generation, snapshot, nowNanos)) {
                log.debug("ignored a late METRICS frame from worker {} generation {}", slotId, generation);
                return;
            }
            slot.totals.counters().forEach((series, total) -> slot.counters.computeIfAbsent(series, s -> {
                Cell cell = new Cell();
                cell.meter = FunctionCounter.builder(s.name(), cell, Cell::value).tags(tags(slot, s))
                        .description(Help.of(s.name())).register(r);
                return cell;
            }).value = total);
            slot.histograms = Map.copyOf(slot.totals.histograms());
            if (generation == slot.totals.newestGeneration() && generation > slot.goneUpTo) {
                gauges(r, slot, slot.totals.gauges());
            }
            if (slot.totals.rejectedSeries() > rejected && !slot.warned) {
                slot.warned = true;
                log.warn("worker {} reported metrics that cannot be exported (bad name, label or value, or over {} series); dropped",
                        slotId, MAX_SERIES);
            }
        }
    }

    /**
     * Counts a restart of worker slot {@code slot} ({@code cadre_worker_restarts_total}); {@code cause}
     * is a short label such as {@code crash}, {@code boot_failure}, {@code hang},
     * {@code memory}, {@code max_requests} or {@code rollout} (lower-cased, other characters become
     * {@code _}). Any thread; a no-op while the hub is off.
     */
    public void restart(int slot, String cause) {
        PrometheusMeterRegistry r = registry;
        if (r != null) {
            Counter.builder("cadre_worker_restarts").description("worker processes replaced, by slot and cause")
                    .tags("worker", Integer.toString(slot), "cause", cause(cause)).register(r).increment();
        }
    }

    /** Sets the crash breaker's gauge ({@code cadre_crash_breaker_open}, 1 when open). Any thread. */
    public void breakerOpen(boolean open) {
        breakerOpen.set(open ? 1 : 0);
    }

    /**
     * Process {@code generation} of worker slot {@code slotId} exited: when it was the slot's newest,
     * the slot's gauges disappear (a crash, a hang, a boot failure leave no frozen values behind),
     * and a late frame of it brings them back no more; its counters stay. Any thread.
     */
    public void processGone(int slotId, int generation) {
        PrometheusMeterRegistry r = registry;
        if (r == null) {
            return;
        }
        Slot slot = slots.computeIfAbsent(slotId, Slot::new);
        synchronized (slot) {
            slot.goneUpTo = Math.max(slot.goneUpTo, generation);
            if (generation >= slot.totals.newestGeneration()) {
                gauges(r, slot, Map.of()); // the slot has no live process to measure until the next one reports
            }
        }
    }

    /**
     * Worker slot {@code slot} is gone for good (the cluster scaled down): its gauges disappear,
     * its counters stay at their last totals. Any thread.
     */
    public void slotRemoved(int slot) {
        PrometheusMeterRegistry r = registry;
        Slot s = slots.get(slot);
        if (r != null && s != null) {
            synchronized (s) {
                gauges(r, s, Map.of());
            }
        }
    }

    /** The Prometheus text exposition (format 0.0.4) of everything; empty while the hub is off. */
    public String scrape() {
        PrometheusMeterRegistry r = registry;
        return r == null ? "" : r.scrape();
    }

    /** The slots that reported, for the histogram collector. */
    Map<Integer, Slot> slots() {
        return slots;
    }

    private static void gauges(PrometheusMeterRegistry r, Slot slot, Map<SlotTotals.Series, Double> now) {
        for (Iterator<Map.Entry<SlotTotals.Series, Cell>> it = slot.gauges.entrySet().iterator(); it.hasNext();) {
            Map.Entry<SlotTotals.Series, Cell> e = it.next();
            if (!now.containsKey(e.getKey())) {
                r.remove(e.getValue().meter);
                it.remove();
            }
        }
        now.forEach((series, value) -> slot.gauges.computeIfAbsent(series, s -> {
            Cell cell = new Cell();
            cell.meter = Gauge.builder(s.name(), cell, Cell::value).tags(tags(slot, s)).description(Help.of(s.name()))
                    .strongReference(true).register(r);
            return cell;
        }).value = value);
    }

    private static Tags tags(Slot slot, SlotTotals.Series series) {
        Tags tags = Tags.of("worker", slot.label);
        for (Map.Entry<String, String> l : series.labels().entrySet()) {
            tags = tags.and(l.getKey(), l.getValue());
        }
        return tags;
    }

    static String cause(String cause) {
        if (cause == null || cause.isBlank()) {
            return "unknown";
        }
        String c = cause.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return c.length() > 40 ? c.substring(0, 40) : c;
    }
}
