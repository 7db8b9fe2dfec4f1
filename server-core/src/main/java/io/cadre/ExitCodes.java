package io.cadre;

/** The exit codes of Cadre processes, primary and worker. */
public final class ExitCodes {
    /** Clean exit: shutdown completed. */
    public static final int OK = 0;
    /** The primary gave up: no worker left while the crash breaker is open, or an unexpected error. */
    public static final int FATAL = 1;
    /** Bad command line, environment or configuration. */
    public static final int USAGE = 2;
    /** The port is served by a running Cadre cluster or held by another program. */
    public static final int PORT_REFUSED = 3;
    /** A worker could not reach its primary over IPC. */
    public static final int NO_PRIMARY = 4;
    /** A worker failed to bind or start its HTTP server. */
    public static final int SERVER_FAILED = 5;
    /** A worker's startup check failed (EX_CONFIG of sysexits.h). */
    public static final int STARTUP_CHECK_FAILED = 78;

    private ExitCodes() {
    }
}
