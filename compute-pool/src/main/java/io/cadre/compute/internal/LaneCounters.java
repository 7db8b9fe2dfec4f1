package io.cadre.compute.internal;

import io.cadre.compute.ComputeRejectedException.Reason;
import io.cadre.compute.LaneOptions;
import io.cadre.compute.LaneStats;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** One lane's counters. Any thread may update and read them; reads are not atomic together. */
final class LaneCounters {
    final AtomicInteger queued = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final LongAdder completed = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final Ewma serviceTime = new Ewma();
    private final Map<Reason, LongAdder> rejected = new EnumMap<>(Reason.class);

    LaneCounters() {
        for (Reason reason : Reason.values()) {
            rejected.put(reason, new LongAdder());
        }
    }

    void rejected(Reason reason) {
        rejected.get(reason).increment();
    }

    LaneStats snapshot(String name, LaneOptions options) {
        Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
        rejected.forEach((reason, count) -> byReason.put(reason, count.sum()));
        return new LaneStats(name, options, Math.max(0, queued.get()), Math.max(0, running.get()),
                completed.sum(), byReason, dropped.sum(), Duration.ofNanos(serviceTime.nanos()));
    }
}
