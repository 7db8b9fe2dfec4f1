package io.cadre.compute.isolated;

import java.util.List;

/**
 * Why an isolated job did not produce its output. Each kind of failure is its own subclass, so a
 * caller can catch exactly what it can handle; every one names the job class, and those where a
 * child was involved carry the last lines of its stderr. {@link #httpStatus()} is what a route
 * answers: 502 when the child died or misbehaved, 504 when the job timed out, 503 when the job was
 * refused, 500 when the job itself threw.
 */
public abstract sealed class IsolatedJobException extends RuntimeException
        permits ChildExitedException, ChildKilledException, ChildOutOfMemoryException, ChildCrashedException, JobTimeoutException,
        JobFailedException, OutputTooLargeException, IsolatedRejectedException {
    private static final long serialVersionUID = 1L;

    /** Every way an isolated job can fail. */
    public enum Kind {
        /** The child exited with a status while running the job ({@code System.exit}, {@code Runtime.halt}). */
        EXITED,
        /** The child was killed by a signal (someone sent SIGKILL, SIGTERM...). */
        KILLED,
        /** The child's heap was exhausted. */
        OUT_OF_MEMORY,
        /** The child JVM crashed in native code (SIGSEGV, SIGBUS...). */
        NATIVE_CRASH,
        /** The job ran past its deadline; its child was killed. */
        TIMED_OUT,
        /** The job threw; its child is fine. */
        JOB_THREW,
        /** The job's output was over the pool's limit. */
        OUTPUT_TOO_LARGE,
        /** The job was not run: queue full, breaker open, or the executor closed. */
        REJECTED
    }

    private final Kind kind;
    private final String jobClass;
    private final List<String> stderrTail;

    IsolatedJobException(Kind kind, String jobClass, String message, List<String> stderrTail) {
        super(message, null, false, kind != Kind.REJECTED);
        this.kind = kind;
        this.jobClass = jobClass;
        this.stderrTail = List.copyOf(stderrTail);
    }

    public Kind kind() {
        return kind;
    }

    /** The job class's name. */
    public String jobClass() {
        return jobClass;
    }

    /** The last lines the child wrote to stderr before the failure (empty when no child was involved). */
    public List<String> stderrTail() {
        return stderrTail;
    }

    /** Whether the failure cost the child its life (the breaker counts these). */
    public boolean childDied() {
        return switch (kind) {
            case EXITED, KILLED, OUT_OF_MEMORY, NATIVE_CRASH, TIMED_OUT -> true;
            default -> false;
        };
    }

    /** The HTTP status a route answers with. */
    public int httpStatus() {
        return switch (kind) {
            case TIMED_OUT -> 504;
            case REJECTED -> 503;
            case JOB_THREW -> 500;
            default -> 502;
        };
    }

    /** The message and, when there is one, the child's stderr tail: for a log. */
    public String describe() {
        return stderrTail.isEmpty() ? getMessage() : getMessage() + "\n  child stderr (last lines):\n    " + String.join("\n    ", stderrTail);
    }
}
