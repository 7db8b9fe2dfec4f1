package io.cadre.compute.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the CPU priority of given threads of this JVM on Linux, where every thread has its own
 * nice value and scheduling policy: one {@code sh} runs {@code renice <niceness> -p <tid>} and/or
 * {@code chrt --idle -p 0 <tid>} for each kernel thread id, and the result is read back from
 * {@code /proc/self/task/<tid>/stat}. One process for all threads, because starting a process
 * from a JVM costs tens of milliseconds on a busy small machine, and a worker's boot must not
 * pay that once per compute thread.
 *
 * <p>The absolute form {@code renice N -p ID} is used rather than {@code renice -n N}: util-linux
 * treats {@code -n} as absolute but POSIX and BusyBox as an increment, so only the absolute form
 * means the same everywhere.
 */
final class Niceness {
    /** How long the one {@code sh} may take. UNIT: s. */
    static final long WAIT_SECONDS = 2;
    /** {@code SCHED_IDLE} in field 41 ("policy") of {@code /proc/<pid>/task/<tid>/stat}. */
    static final int SCHED_IDLE = 5;
    private static final String SCRIPT = "n=$1; idle=$2; shift 2; for t; do "
            + "if [ \"$n\" -gt 0 ]; then renice \"$n\" -p \"$t\" || exit 3; fi; "
            + "if [ \"$idle\" = 1 ]; then chrt --idle -p 0 \"$t\" || exit 4; fi; done";

    private static final String RESTORE_SCRIPT = "n=$1; idle=$2; shift 2; for t; do "
            + "if [ \"$idle\" = 1 ]; then chrt --other -p 0 \"$t\"; fi; renice \"$n\" -p \"$t\"; done";

    private Niceness() {
    }

    /** @return the kernel thread id of the calling thread ({@code /proc/thread-self} links to {@code <pid>/task/<tid>}) */
    static String currentThreadId() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    /**
     * Gives each of {@code tids} (threads of this JVM) the nice value {@code niceness} (when above
     * 0) and the {@code SCHED_IDLE} policy (when {@code idle}), then checks both.
     *
     * @return null if every thread now runs so; otherwise why not
     */
    static String apply(List<String> tids, int niceness, boolean idle) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "per-thread priorities need Linux, this is " + System.getProperty("os.name");
        }
        Ran ran = run(SCRIPT, Integer.toString(niceness), idle, tids);
        if (ran.failure() != null) {
            return ran.failure();
        }
        switch (ran.status()) {
            case 0 -> { }
            case 3 -> { return "renice failed (missing, or not permitted)"; }
            case 4 -> { return "chrt --idle failed (missing, or not permitted)"; }
            default -> { return "sh exited with status " + ran.status(); }
        }
        for (String tid : tids) {
            OptionalInt nice = statField(tid, 19);
            if (niceness > 0 && nice.orElse(Integer.MIN_VALUE) != niceness) {
                return "thread " + tid + " has nice value " + nice + " after renice";
            }
            OptionalInt policy = statField(tid, 41);
            if (idle && policy.orElse(-1) != SCHED_IDLE) {
                return "thread " + tid + " has scheduling policy " + policy + " after chrt";
            }
        }
        return null;
    }

    /**
     * Gives each of {@code tids} (threads of this JVM) nice value {@code nice} and, with
     * {@code fromIdle}, the normal {@code SCHED_OTHER} policy instead of {@code SCHED_IDLE}; then
     * checks the threads that still exist.
     *
     * @return null if every one that still exists now runs so; otherwise why not
     */
    static String restore(List<String> tids, int nice, boolean fromIdle) {
        Ran ran = run(RESTORE_SCRIPT, Integer.toString(nice), fromIdle, tids);
        if (ran.failure() != null) {
            return ran.failure(); // its status does not count: a thread that ended meanwhile fails its chrt
        }
        for (String tid : tids) {
            OptionalInt policy = statField(tid, 41);
            OptionalInt now = statField(tid, 19);
            if (policy.isPresent() && (policy.getAsInt() == SCHED_IDLE || now.orElse(nice) != nice)) {
                return "thread " + tid + " still has policy " + policy.getAsInt() + " and nice " + now.orElse(nice)
                        + " (leaving SCHED_IDLE or lowering a nice value needs root, CAP_SYS_NICE or a large enough RLIMIT_NICE)";
            }
        }
        return null;
    }

    /** How one run of a script went: its exit status, or why it did not run to the end. */
    private record Ran(int status, String failure) {
    }

    /** Runs {@code sh -c script sh value flag tids...} and waits at most {@link #WAIT_SECONDS}. */
    private static Ran run(String script, String value, boolean flag, List<String> tids) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh", value, flag ? "1" : "0"));
        command.addAll(tids);
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Ran(-1, "renice/chrt did not finish within " + WAIT_SECONDS + " s");
            }
            return new Ran(process.exitValue(), null);
        } catch (IOException | UnsupportedOperationException e) {
            return new Ran(-1, "could not run sh: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Ran(-1, "interrupted while waiting for renice/chrt");
        }
    }

    /** @return field {@code n} (1-based, as proc(5) numbers them) of {@code /proc/self/task/<tid>/stat} */
    static OptionalInt statField(String tid, int n) {
        int[] values = statFields(tid, n);
        return values == null ? OptionalInt.empty() : OptionalInt.of(values[0]);
    }

    /** Fields {@code n} of {@code /proc/self/task/<tid>/stat}, read once; null when unreadable. */
    static int[] statFields(String tid, int... n) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
            // Field 2, the command name, is in parentheses and may hold spaces: count after it.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            int[] values = new int[n.length];
            for (int i = 0; i < n.length; i++) {
                values[i] = Integer.parseInt(fields[n[i] - 3]);
            }
            return values;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
