package io.cadre.compute.isolated;

import java.util.List;

/** The job's output was larger than the pool's {@code maxOutputBytes}; it was not transferred. */
public final class OutputTooLargeException extends IsolatedJobException {
    private static final long serialVersionUID = 1L;
    private final long size;
    private final long limit;

    public OutputTooLargeException(String jobClass, long size, long limit, List<String> stderrTail) {
        super(Kind.OUTPUT_TOO_LARGE, jobClass, "isolated job " + jobClass + " produced " + size + " bytes, over the limit of "
                + limit, stderrTail);
        this.size = size;
        this.limit = limit;
    }

    /** The output's size. UNIT: bytes. */
    public long size() {
        return size;
    }

    /** The pool's limit. UNIT: bytes. */
    public long limit() {
        return limit;
    }
}
