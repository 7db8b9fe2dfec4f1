package io.cadre.compute;

import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of one lane's counters. The fields are read one after another, not atomically, so
 * under load they may disagree by a task or two.
 *
 * @param name the lane's name
 * @param options the lane's limits
 * @param queued tasks admitted and not yet started (waiting for a lane slot or a thread)
 * @param running tasks running now
 * @param completed tasks that ran to the end, with a result or an exception
 * @param rejected refusals so far, by reason (every reason present)
 * @param dropped tasks not run because {@code stillWanted} answered false (client gone)
 * @param recentServiceTime the exponentially weighted mean run time of the lane's recent tasks
 *     (weight {@code 0.2} on the newest); {@link Duration#ZERO} before the first task
 */
public record LaneStats(String name, LaneOptions options, int queued, int running, long completed,
        Map<ComputeRejectedException.Reason, Long> rejected, long dropped, Duration recentServiceTime) {
    /** Copies {@code rejected} so that the snapshot stays immutable. */
    public LaneStats {
        rejected = Map.copyOf(rejected);
    }

    /** @param reason a refusal reason @return refusals for that reason so far */
    public long rejected(ComputeRejectedException.Reason reason) {
        return rejected.getOrDefault(reason, 0L);
    }
}
