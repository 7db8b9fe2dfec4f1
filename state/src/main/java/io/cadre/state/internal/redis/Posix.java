package io.cadre.state.internal.redis;

import io.cadre.internal.util.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process facts and signals that the JDK does not offer, through {@code /bin/sh} and its built-in
 * {@code kill} (present even where procps is not installed). Safe to call from any thread.
 */
final class Posix {
    static final String SH = "/bin/sh";
    /**
     * util-linux's (or busybox's) {@code setsid}, or null where there is none: runs a program in a
     * session and process group of its own, apart from the terminal's signals (Ctrl-C, Ctrl-\,
     * hang-up), which are meant for the primary alone. A child of the JVM is never a group leader,
     * so {@code setsid} execs the program in place: same pid.
     */
    static final String SETSID = java.util.stream.Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(f -> Files.isExecutable(Path.of(f))).findFirst().orElse(null);

    /** {@code command} run through {@link #SETSID} where there is one. */
    static java.util.List<String> ownSession(java.util.List<String> command) {
        if (SETSID == null) {
            return command;
        }
        java.util.List<String> all = new java.util.ArrayList<>(command.size() + 1);
        all.add(SETSID);
        all.addAll(command);
        return all;
    }

    private Posix() {
    }

    /**
     * Sends signal {@code name} ({@code STOP}, {@code CONT}, {@code KILL}, ...) to {@code pid}.
     *
     * @return whether {@code kill} succeeded (false: no such process, or not ours)
     */
    static boolean signal(long pid, String name) {
        return Signals.send(pid, name);
    }

    /**
     * Whether {@code pid} runs: it exists and is not a zombie (a process that exited but that its
     * parent, possibly {@code init}, has not reaped yet).
     */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            char state = close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
