package io.cadre.compute.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread's CPU priority on Linux, where every thread has its own nice value:
 * the thread finds its kernel thread id from {@code /proc/thread-self} (a link to
 * {@code <pid>/task/<tid>}) and runs {@code renice <niceness> -p <tid>}, then reads the value
 * back from {@code /proc/thread-self/stat} to confirm it.
 *
 * <p>The absolute form {@code renice N -p ID} is used rather than {@code renice -n N}: util-linux
 * treats {@code -n} as absolute but POSIX and BusyBox as an increment, so only the absolute form
 * means the same everywhere.
 */
final class Niceness {
    static final long RENICE_WAIT_SECONDS = 2;

    private Niceness() {
    }

    /** {@code SCHED_IDLE} in field 41 ("policy") of {@code /proc/<pid>/task/<tid>/stat}. */
    static final int SCHED_IDLE = 5;

    /**
     * Puts the calling thread under {@code SCHED_IDLE} with {@code chrt --idle -p 0 <tid>}, then
     * reads its policy back. Call it from the thread itself.
     *
     * @return null if the thread now runs under {@code SCHED_IDLE}; otherwise why not
     */
    static String idleSchedulingForCurrentThread() {
        String failed = runForCurrentThread("chrt", "--idle", "-p", "0");
        if (failed != null) {
            return failed;
        }
        OptionalInt policy = statField(41);
        return policy.isPresent() && policy.getAsInt() == SCHED_IDLE ? null
                : "the thread's scheduling policy is " + (policy.isEmpty() ? "unknown" : policy.getAsInt()) + " after chrt";
    }

    /**
     * Sets the calling thread's nice value. Call it from the thread itself.
     *
     * @param niceness 1 to 19
     * @return null if the thread now runs at {@code niceness}; otherwise why not
     */
    static String applyToCurrentThread(int niceness) {
        String failed = runForCurrentThread("renice", Integer.toString(niceness), "-p");
        if (failed != null) {
            return failed;
        }
        OptionalInt actual = ofCurrentThread();
        if (actual.isEmpty() || actual.getAsInt() != niceness) {
            return "the thread's nice value is " + (actual.isEmpty() ? "unknown" : actual.getAsInt())
                    + " after renice";
        }
        return null;
    }

    /**
     * Runs {@code command} with the calling thread's kernel thread id appended, waiting at most
     * {@value #RENICE_WAIT_SECONDS} s.
     *
     * @return null when it exited 0; otherwise why not
     */
    private static String runForCurrentThread(String... command) {
        String name = command[0];
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return name + " on a thread needs Linux, this is " + System.getProperty("os.name");
        }
        try {
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            String[] full = java.util.Arrays.copyOf(command, command.length + 1);
            full[command.length] = tid;
            Process process = new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(RENICE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return name + " did not finish within " + RENICE_WAIT_SECONDS + " s";
            }
            if (process.exitValue() != 0) {
                return name + " exited with status " + process.exitValue();
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "could not run " + name + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting for " + name;
        }
    }

    /** @return the calling thread's nice value: field 19 of {@code /proc/thread-self/stat} */
    static OptionalInt ofCurrentThread() {
        return statField(19);
    }

    /** @return field {@code n} (1-based, as proc(5) numbers them) of {@code /proc/thread-self/stat} */
    static OptionalInt statField(int n) {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            // Field 2, the command name, is in parentheses and may hold spaces: count after it.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return OptionalInt.of(Integer.parseInt(fields[n - 3]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
