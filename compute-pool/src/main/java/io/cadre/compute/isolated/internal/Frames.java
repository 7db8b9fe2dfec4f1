package io.cadre.compute.isolated.internal;

/**
 * The protocol between an executor and its child, on a Unix domain socket in the executor's
 * private (0700) directory, with {@link java.io.DataOutputStream} encoding; one job at a time per
 * child. Not stdin/stdout: the JVM writes its fatal error report, and native libraries write what
 * they like, to file descriptor 1, which would corrupt the replies; the child's stdout and stderr
 * both go to the executor's stderr tail instead.
 *
 * <pre>
 * executor to child   JOB       'J' utf(class name) int(length) bytes(input)
 * child to executor   READY     'R' long(pid)
 *                     OK        'O' int(length) bytes(output)
 *                     THREW     'T' boolean(an Error: retire me) utf(type) utf(message) int(length) bytes(stack trace, UTF-8)
 *                     TOO_LARGE 'L' long(size)
 * </pre>
 *
 * End of file on the socket means the executor is gone (its process ended, even by SIGKILL: the
 * kernel closes the socket) or is retiring the child: it halts at once.
 */
public final class Frames {
    public static final int JOB = 'J';
    public static final int READY = 'R';
    public static final int OK = 'O';
    public static final int THREW = 'T';
    public static final int TOO_LARGE = 'L';

    /** The environment variable with the path of the executor's socket. */
    public static final String ENV_SOCKET = "CADRE_ISOLATED_SOCKET";
    /** The environment variable that lists the job classes a child may run, comma-separated. */
    public static final String ENV_JOBS = "CADRE_ISOLATED_JOBS";
    /** The environment variable with the largest output a child may send. UNIT: bytes. */
    public static final String ENV_MAX_OUTPUT = "CADRE_ISOLATED_MAX_OUTPUT";
    /** Longest message sent for an exception; {@code writeUTF} takes at most 64 KB. */
    static final int MAX_MESSAGE_CHARS = 4_000;
    /** Longest stack trace sent. UNIT: bytes. */
    static final int MAX_STACK_BYTES = 64 * 1024;

    private Frames() {
    }

    static String clip(String text, int max) {
        return text == null ? "" : text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
