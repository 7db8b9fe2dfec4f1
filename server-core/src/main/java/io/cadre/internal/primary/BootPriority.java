package io.cadre.internal.primary;

import io.cadre.internal.util.Proc;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lets a replacement worker boot at a lower CPU priority than the workers that serve, and gives it
 * the normal priority back once it is ready (Linux).
 *
 * <p>A rolling restart or a recycle boots a JVM while the old worker it replaces still carries the
 * traffic (a scale-up or a crash replacement does not: capacity is missing then, and those boot at
 * normal priority); on a host whose cores are busy, the boot (class loading, the JIT) takes CPU from them and
 * the traffic dips. Booted under {@code nice -n N}, the new JVM gets the CPU the serving workers
 * leave, and needs longer to be ready only when they leave little. Every thread of the JVM inherits
 * the nice value from the thread that created it, so once the worker is ready the primary puts each
 * of its threads that still has the boot value back on the primary's own nice value, with one
 * {@code renice}, twice (a thread created during the first pass by a thread not yet restored is
 * caught by the second). A process the worker started while it booted inherited the boot value
 * too (an isolated executor's warm child JVMs, started from the app's {@code main}): the threads of
 * the worker's descendants that still have it get the same value back, or they would run at the
 * boot priority until recycled. Only the worker's own threads decide whether the restore worked:
 * a short-lived helper process (a {@code renice} the compute pool runs) may end at the boot value.
 *
 * <p>Lowering a nice value needs privilege: {@code CAP_SYS_NICE} (root has it, except in a container,
 * whose runtime usually drops it), or a {@code RLIMIT_NICE}
 * that allows it (systemd's {@code LimitNICE=+0} for nice 0; without the sign systemd reads a raw
 * limit, and {@code LimitNICE=0} allows nothing). Without it a worker could be lowered but never
 * raised again, so {@link #detect} then turns the feature off and says why; workers boot at normal
 * priority, as before.
 *
 * <p>Compute threads ({@code cadre-compute-N}) are left as they are when the compute pool sets their
 * priority itself (a nice value, absolute, whatever they inherited; or {@code SCHED_IDLE}, where
 * the nice value does not count).
 *
 * <p>Tried and not kept (docs/benchmarks.md): booting under {@code SCHED_IDLE} instead
 * ({@code chrt --idle}): on two cores kept full by the load the boots starved until their patience
 * ran out (10 rollouts took over 15 minutes against ~4 at nice 10). Nice 15, and keeping the JIT
 * compiler threads at the boot value for 30 s after ready: no smaller dip than nice 10, only slower
 * rollouts.
 */
final class BootPriority {
    /** How long one {@code renice} may take. UNIT: s. */
    private static final long RENICE_SECONDS = 5;
    private static final String COMPUTE_THREAD = "cadre-compute-";

    /** How much nicer a replacement boots (the nice increment); 0 when off. */
    final int increment;
    /** The primary's own nice value: what a ready worker's threads get back. */
    final int base;
    /** Why the feature is off although it was asked for; null when on or not asked for. */
    final String offBecause;
    private final boolean computeNiced;

    private BootPriority(int increment, int base, String offBecause, boolean computeNiced) {
        this.increment = increment;
        this.base = base;
        this.offBecause = offBecause;
        this.computeNiced = computeNiced;
    }

    /**
     * @param increment the nice increment asked for (0..19; 0 is off)
     * @param computeNiced whether the compute pool sets its threads' priority itself
     */
    static BootPriority detect(int increment, boolean computeNiced) {
        if (increment == 0) {
            return new BootPriority(0, 0, null, computeNiced);
        }
        if (!Proc.isLinux()) {
            return new BootPriority(0, 0, "it needs Linux", computeNiced);
        }
        OptionalInt base = niceOf(Path.of("/proc/self/stat"));
        if (base.isEmpty()) {
            return new BootPriority(0, 0, "this process's nice value cannot be read from /proc/self/stat", computeNiced);
        }
        if (base.getAsInt() + increment > 19) {
            return new BootPriority(0, base.getAsInt(), "the primary already runs at nice " + base.getAsInt()
                    + ", and nice values end at 19", computeNiced);
        }
        if (!onPath("nice") || !onPath("renice")) {
            return new BootPriority(0, base.getAsInt(), "nice or renice is not on PATH", computeNiced);
        }
        if (!io.cadre.compute.internal.PriorityPrivilege.mayRaiseTo(base.getAsInt())) {
            return new BootPriority(0, base.getAsInt(), "this user may lower a worker's priority but not raise it again"
                    + " (needs CAP_SYS_NICE, which a container's root usually lacks, or RLIMIT_NICE of at least " + (20 - base.getAsInt())
                    + ", e.g. systemd's LimitNICE=" + (base.getAsInt() >= 0 ? "+" : "") + base.getAsInt() + ")", computeNiced);
        }
        return new BootPriority(increment, base.getAsInt(), null, computeNiced);
    }

    boolean enabled() {
        return increment > 0;
    }

    /** The nice value a replacement boots at. */
    int bootNice() {
        return base + increment;
    }

    /** The command that boots {@code command} at the lower priority. */
    List<String> lowered(List<String> command) {
        List<String> all = new ArrayList<>(List.of("nice", "-n", Integer.toString(increment)));
        all.addAll(command);
        return all;
    }

    /**
     * Gives every thread of {@code pid}, and of the processes it started, that still has the boot
     * nice value the primary's own value back, in the background.
     *
     * @return completes with how many threads were restored, or exceptionally with why not
     */
    CompletableFuture<Integer> restore(long pid) {
        return CompletableFuture.supplyAsync(() -> {
            int restored = 0;
            for (int pass = 0; pass < 2; pass++) {
                List<String> tids = atBootNice(pid);
                if (tids.isEmpty()) {
                    break;
                }
                renice(tids);
                restored += tids.size();
            }
            List<String> left = new ArrayList<>();
            atBootNice(pid, computeNiced, left);
            if (!left.isEmpty() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalStateException(left.size() + " threads still at nice " + bootNice() + " after renice");
            }
            return restored;
        }, command -> Thread.ofVirtual().name("cadre-boot-priority-" + pid).start(command));
    }

    /**
     * The threads of {@code pid} (but not compute threads whose priority the pool sets itself) and
     * of its descendants that still have the boot nice value.
     */
    private List<String> atBootNice(long pid) {
        List<String> tids = new ArrayList<>();
        atBootNice(pid, computeNiced, tids);
        ProcessHandle.of(pid).ifPresent(worker -> worker.descendants().forEach(child -> atBootNice(child.pid(), false, tids)));
        return tids;
    }

    private void atBootNice(long pid, boolean skipCompute, List<String> tids) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                if (niceOf(task.resolve("stat")).orElse(base) != bootNice()) {
                    continue;
                }
                if (skipCompute && comm(task).startsWith(COMPUTE_THREAD)) {
                    continue;
                }
                tids.add(task.getFileName().toString());
            }
        } catch (IOException e) {
            // the process is gone: nothing left to restore
        }
    }

    private void renice(List<String> tids) {
        List<String> command = new ArrayList<>(List.of("renice", Integer.toString(base), "-p"));
        command.addAll(tids);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(RENICE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("renice did not finish within " + RENICE_SECONDS + " s");
            }
            // renice fails for a thread that ended meanwhile; what counts is what /proc says afterwards
        } catch (IOException e) {
            throw new IllegalStateException("could not run renice: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running renice", e);
        }
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** Field 19 ("nice") of a {@code stat} file of {@code /proc}. */
    static OptionalInt niceOf(Path stat) {
        return Proc.statField(stat, 19);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
