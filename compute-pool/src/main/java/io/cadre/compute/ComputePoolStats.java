package io.cadre.compute;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a pool's counters: the sums over its lanes, plus the pool's own. The fields are
 * read one after another, not atomically, so under load they may disagree by a task or two.
 *
 * @param threads the configured size: platform threads, or concurrent virtual threads
 * @param kind which threads run the tasks
 * @param nicenessApplied see {@link ComputePool#nicenessApplied()}
 * @param queued tasks admitted and not yet started, over all lanes
 * @param running tasks running now, over all lanes
 * @param completed tasks that ran to the end, over all lanes
 * @param rejected refusals by reason, over all lanes (every reason present)
 * @param dropped tasks not run because the client had gone, over all lanes
 * @param recentServiceTime the exponentially weighted mean run time of the pool's recent tasks
 * @param lanes each lane's own snapshot, the default lane first
 */
public record ComputePoolStats(int threads, ComputePoolConfig.Kind kind, boolean nicenessApplied,
        int queued, int running, long completed, Map<ComputeRejectedException.Reason, Long> rejected,
        long dropped, Duration recentServiceTime, List<LaneStats> lanes) {
    /** Copies the collections so that the snapshot stays immutable. */
    public ComputePoolStats {
        rejected = Map.copyOf(rejected);
        lanes = List.copyOf(lanes);
    }

    /** @param reason a refusal reason @return refusals for that reason so far, over all lanes */
    public long rejected(ComputeRejectedException.Reason reason) {
        return rejected.getOrDefault(reason, 0L);
    }
}
