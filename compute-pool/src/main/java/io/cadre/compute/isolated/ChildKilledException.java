package io.cadre.compute.isolated;

import java.util.List;

/** The child was killed by a signal while it ran the job (not by Cadre: a timeout is a {@link JobTimeoutException}). */
public final class ChildKilledException extends IsolatedJobException {
    private static final long serialVersionUID = 1L;
    private final int signal;

    public ChildKilledException(String jobClass, int signal, List<String> stderrTail) {
        super(Kind.KILLED, jobClass, "isolated job " + jobClass + ": its child JVM was killed by signal " + signal + " ("
                + Signals.name(signal) + ")", stderrTail);
        this.signal = signal;
    }

    /** The signal's number. */
    public int signal() {
        return signal;
    }

    /** The signal's name, e.g. {@code SIGKILL}. */
    public String signalName() {
        return Signals.name(signal);
    }
}
