package io.cadre.compute.isolated;

import java.util.List;

/**
 * The child's heap was exhausted while it ran the job; the child JVM exited at the first
 * {@code OutOfMemoryError} ({@code -XX:+ExitOnOutOfMemoryError}), so the heap ceiling of the pool's
 * JVM options is what contained it. The stderr tail has the JVM's line saying which space ran out.
 */
public final class ChildOutOfMemoryException extends IsolatedJobException {
    private static final long serialVersionUID = 1L;

    public ChildOutOfMemoryException(String jobClass, List<String> stderrTail) {
        super(Kind.OUT_OF_MEMORY, jobClass, "isolated job " + jobClass + ": its child JVM ran out of memory", stderrTail);
    }
}
