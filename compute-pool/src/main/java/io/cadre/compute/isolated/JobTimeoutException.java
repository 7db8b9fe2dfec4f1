package io.cadre.compute.isolated;

import java.util.List;

/** The job ran past its deadline; its child was killed at the deadline and replaced. */
public final class JobTimeoutException extends IsolatedJobException {
    private static final long serialVersionUID = 1L;
    private final long timeoutMillis;

    public JobTimeoutException(String jobClass, long timeoutMillis, List<String> stderrTail) {
        super(Kind.TIMED_OUT, jobClass, "isolated job " + jobClass + " did not finish within " + timeoutMillis
                + " ms; its child JVM was killed", stderrTail);
        this.timeoutMillis = timeoutMillis;
    }

    /** The deadline it missed. UNIT: ms. */
    public long timeoutMillis() {
        return timeoutMillis;
    }
}
