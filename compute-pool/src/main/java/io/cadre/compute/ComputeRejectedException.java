package io.cadre.compute;

import java.util.Objects;

/**
 * Why a task submitted to a {@link Lane} was not run. It completes the task's future; it is never
 * thrown at the caller of {@code submit}. It is a flow-control signal, so it carries no stack
 * trace (creating one per refusal would add cost exactly when the pool is overloaded).
 *
 * <p>HTTP maps it to {@code 503 Service Unavailable} with {@code Retry-After: }{@link
 * #retryAfterSeconds()}.
 */
public final class ComputeRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a task was refused. */
    public enum Reason {
        /** The lane already had {@code maxConcurrency} tasks running and {@code queue} waiting. */
        QUEUE_FULL,
        /** The task waited longer than the lane's {@code queueTimeoutMillis}; it was not run. */
        QUEUE_TIMEOUT,
        /** The pool is shutting down or shut down. */
        SHUT_DOWN
    }

    private final Reason reason;
    private final long retryAfterSeconds;

    /**
     * @param lane the lane's name, for the message
     * @param reason why the task was refused
     * @param retryAfterSeconds when a retry may succeed, at least 1. UNIT: s.
     */
    public ComputeRejectedException(String lane, Reason reason, long retryAfterSeconds) {
        super("compute lane '" + lane + "' refused the task: " + reason
                + " (retry after " + retryAfterSeconds + " s)", null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException(
                    "retryAfterSeconds must be at least 1 s, was " + retryAfterSeconds);
        }
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** @return why the task was refused */
    public Reason reason() {
        return reason;
    }

    /**
     * When a retry may succeed: {@code max(1, ceil(queueDepth x recentServiceTime /
     * maxConcurrency))}, from the lane's queue depth and recent service time when it refused the
     * task. UNIT: s.
     *
     * @return seconds, at least 1
     */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
