package io.cadre.compute.isolated;

import java.util.List;

/** The child exited while it ran the job: {@code System.exit(n)}, {@code Runtime.halt(n)}, or the JVM gave up. */
public final class ChildExitedException extends IsolatedJobException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public ChildExitedException(String jobClass, int exitCode, List<String> stderrTail) {
        super(Kind.EXITED, jobClass, "isolated job " + jobClass + ": its child JVM exited with status " + exitCode, stderrTail);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
