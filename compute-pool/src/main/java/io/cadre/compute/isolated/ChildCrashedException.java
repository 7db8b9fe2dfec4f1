package io.cadre.compute.isolated;

import java.util.List;

/**
 * The child JVM crashed in native code while it ran the job (a fatal error such as SIGSEGV in a
 * native library). {@link #errorFile()} is the JVM's error report ({@code hs_err}), kept for
 * debugging; {@link #signalName()} is what the JVM reported.
 */
public final class ChildCrashedException extends IsolatedJobException {
    private static final long serialVersionUID = 1L;
    private final String signalName;
    private final String errorFile;

    public ChildCrashedException(String jobClass, String signalName, String errorFile, List<String> stderrTail) {
        super(Kind.NATIVE_CRASH, jobClass, "isolated job " + jobClass + ": its child JVM crashed (" + signalName + ")"
                + (errorFile == null ? "" : "; the JVM's report is " + errorFile), stderrTail);
        this.signalName = signalName;
        this.errorFile = errorFile;
    }

    /** The fatal signal the JVM reported, e.g. {@code SIGSEGV}, or {@code unknown}. */
    public String signalName() {
        return signalName;
    }

    /** The path of the JVM's error report, or null when none was written. */
    public String errorFile() {
        return errorFile;
    }
}
