package io.cadre.compute.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * Finds the threads of this JVM that inherited the compute threads' low priority and puts them
 * back to normal (Linux). A thread gets the nice value and scheduling policy of the thread that
 * creates it, so a thread, a pool's thread or a virtual-thread carrier created by a compute thread
 * (a task that starts one, or wakes a virtual thread while the scheduler is short of carriers)
 * would run under {@code SCHED_IDLE} for good: only when the CPU is otherwise idle, whatever it
 * serves later. Every {@link #PERIOD_MILLIS} it lists {@code /proc/self/task}, reads the
 * {@code stat} file of each thread it has not seen before (a priority is inherited when a thread
 * is created, so a thread found normal once stays so unless someone sets it), and gives any that
 * runs under {@code SCHED_IDLE} (when the pool uses it) or at the pool's nice value (when that is
 * not the process's own) the normal policy and the main thread's nice value, with one {@code sh}
 * for all it found. A pass where no thread is new reads one directory.
 *
 * <p>Putting a thread back needs root, {@code CAP_SYS_NICE} or a large enough {@code RLIMIT_NICE};
 * without it a failure is logged as a WARN that names the threads, and those threads are not tried
 * again. Runs on its own daemon thread, {@code cadre-prio-guard}, until the
 * pool stops (not named {@code cadre-compute-...}: the kernel's 15-character thread name would
 * then pass for a compute thread's, and the primary's boot-priority step leaves those alone).
 */
final class PriorityGuard {
    /** How often the threads are checked. UNIT: ms. */
    static final long PERIOD_MILLIS = 2_000;

    private final int niceness;
    private final boolean idle;
    private final BooleanSupplier stopped;
    private final Logger log;
    /** Threads already looked at: compute threads, threads found normal or put back, threads given up on. */
    private final Set<String> known = new HashSet<>();
    private boolean reported;

    private PriorityGuard(Set<String> computeThreads, int niceness, boolean idle, BooleanSupplier stopped, Logger log) {
        this.known.addAll(computeThreads);
        this.niceness = niceness;
        this.idle = idle;
        this.stopped = stopped;
        this.log = log;
    }

    /** Starts checking, every {@link #PERIOD_MILLIS}, until {@code stopped} says so. */
    static void start(Set<String> computeThreads, int niceness, boolean idle, BooleanSupplier stopped, Logger log) {
        PriorityGuard guard = new PriorityGuard(computeThreads, niceness, idle, stopped, log);
        Thread.ofPlatform().name("cadre-prio-guard").daemon(true).start(guard::run);
    }

    private void run() {
        while (!stopped.getAsBoolean()) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (!stopped.getAsBoolean()) {
                check();
            }
        }
    }

    /** One pass: finds the threads that inherited the compute priority and puts them back. */
    void check() {
        List<String> fresh = new ArrayList<>();
        Set<String> alive = new HashSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String tid = task.getFileName().toString();
                alive.add(tid);
                if (!known.contains(tid)) {
                    fresh.add(tid);
                }
            }
        } catch (IOException e) {
            return; // no /proc: nothing to check
        }
        known.retainAll(alive); // a thread id can be reused once its thread ends
        if (fresh.isEmpty()) {
            return;
        }
        OptionalInt base = Niceness.statField(mainThread(), 19);
        if (base.isEmpty() || (idle && Niceness.statField(mainThread(), 41).orElse(-1) == Niceness.SCHED_IDLE)) {
            return; // unreadable, or the whole process runs under SCHED_IDLE (chrt --idle java ...): nothing inherited
        }
        List<String> inherited = new ArrayList<>();
        for (String tid : fresh) {
            if (lowered(tid, base.getAsInt())) {
                inherited.add(tid);
            } else {
                known.add(tid);
            }
        }
        if (inherited.isEmpty()) {
            return;
        }
        List<String> names = inherited.stream().map(PriorityGuard::name).toList();
        String why = Niceness.restore(inherited, base.getAsInt());
        known.addAll(inherited); // put back, or given up on
        if (why != null) {
            log.warn("threads {} inherited the compute threads' priority ({}) and keep it: {}; see docs/compute-pool.md",
                    names, idle ? "SCHED_IDLE" : "nice " + niceness, why);
        } else if (!reported) {
            reported = true;
            log.info("threads {} had inherited the compute threads' priority ({}), from a thread, pool or virtual thread a"
                    + " compute task started or woke; they run at normal priority again (later ones are logged at DEBUG)",
                    names, idle ? "SCHED_IDLE" : "nice " + niceness);
        } else {
            log.debug("threads {} had inherited the compute threads' priority; normal again", names);
        }
    }

    private boolean lowered(String tid, int base) {
        if (idle) {
            return Niceness.statField(tid, 41).orElse(-1) == Niceness.SCHED_IDLE;
        }
        return niceness > 0 && base != niceness && Niceness.statField(tid, 19).orElse(base) == niceness;
    }

    /** The main thread's id: this process's pid. */
    private static String mainThread() {
        return Long.toString(ProcessHandle.current().pid());
    }

    private static String name(String tid) {
        try {
            return Files.readString(Path.of("/proc/self/task", tid, "comm")).trim();
        } catch (IOException e) {
            return tid;
        }
    }
}
