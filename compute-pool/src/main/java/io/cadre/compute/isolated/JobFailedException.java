package io.cadre.compute.isolated;

import java.util.List;

/**
 * The job threw in the child. The child is fine (it is replaced anyway when the throwable was an
 * {@code Error}, such as a {@code StackOverflowError}); the remote exception arrives as text: its
 * class name, message and stack trace.
 */
public final class JobFailedException extends IsolatedJobException {
    private static final long serialVersionUID = 1L;
    private final String remoteType;
    private final String remoteMessage;
    private final String remoteStackTrace;

    public JobFailedException(String jobClass, String remoteType, String remoteMessage, String remoteStackTrace, List<String> stderrTail) {
        super(Kind.JOB_THREW, jobClass, "isolated job " + jobClass + " threw " + remoteType
                + (remoteMessage == null || remoteMessage.isEmpty() ? "" : ": " + remoteMessage), stderrTail);
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
        this.remoteStackTrace = remoteStackTrace;
    }

    /** The class name of what the job threw, e.g. {@code java.lang.IllegalStateException}. */
    public String remoteType() {
        return remoteType;
    }

    /** Its message, or an empty string. */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** Its stack trace as the child printed it (causes included). */
    public String remoteStackTrace() {
        return remoteStackTrace;
    }
}
