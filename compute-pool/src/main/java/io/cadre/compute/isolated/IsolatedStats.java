package io.cadre.compute.isolated;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of an {@link IsolatedExecutor}, for metrics and {@code ctl status}.
 *
 * @param poolSize children the pool keeps warm
 * @param liveChildren children started, ready and not retiring now
 * @param busyChildren children running a job now
 * @param queueDepth jobs waiting for a child now
 * @param submitted jobs submitted since start (rejected ones included)
 * @param succeeded jobs that returned output
 * @param failed jobs that failed after they were accepted (timeouts, crashes, throws...)
 * @param rejected jobs refused at submission (queue full, breaker open, closing)
 * @param childrenStarted child JVMs started since start (the warm ones, replacements and recycles)
 * @param failuresByKind failures and rejections by kind
 * @param latencyCount jobs in the latency histogram (every job that was answered or failed after it was accepted)
 * @param latencyP50Micros median time from submission to answer. UNIT: µs
 * @param latencyP99Micros UNIT: µs
 * @param latencyMaxMicros UNIT: µs
 * @param openBreakers job classes refused now by their breaker
 */
public record IsolatedStats(int poolSize, int liveChildren, int busyChildren, int queueDepth, long submitted, long succeeded,
        long failed, long rejected, long childrenStarted, Map<IsolatedJobException.Kind, Long> failuresByKind, long latencyCount,
        long latencyP50Micros, long latencyP99Micros, long latencyMaxMicros, List<String> openBreakers) {
    public IsolatedStats {
        failuresByKind = Map.copyOf(failuresByKind);
        openBreakers = List.copyOf(openBreakers);
    }
}
