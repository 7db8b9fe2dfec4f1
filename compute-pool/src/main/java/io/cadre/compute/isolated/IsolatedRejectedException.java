package io.cadre.compute.isolated;

import java.util.List;

/**
 * The job was not run. A flow-control signal: it carries no stack trace. A route answers 503 with
 * {@code Retry-After: }{@link #retryAfterSeconds()}.
 */
public final class IsolatedRejectedException extends IsolatedJobException {
    private static final long serialVersionUID = 1L;

    /** Why a job was not run. */
    public enum Reason {
        /** Every child was busy and the queue in front of them was full. */
        QUEUE_FULL,
        /** The job class crashed its children too often lately; it is quarantined for a cool-down. */
        BREAKER_OPEN,
        /** The executor is closing or closed. */
        SHUT_DOWN
    }

    private final Reason reason;
    private final long retryAfterSeconds;

    public IsolatedRejectedException(String jobClass, Reason reason, String detail, long retryAfterSeconds) {
        super(Kind.REJECTED, jobClass, "isolated job " + jobClass + " was not run: " + detail, List.of());
        this.reason = reason;
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public Reason reason() {
        return reason;
    }

    /** When a retry may succeed, at least 1. UNIT: s. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
