package io.cadre.compute.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * not the main thread's) the normal policy and the main thread's nice value, with one {@code sh}
 * for all it found. A pass where no thread is new reads one directory (and, once it has put threads
 * back, the main thread's {@code stat}). Compute threads of every
 * pool of the JVM are left alone: each pool {@linkplain #register registers} its threads before it
 * lowers them, and a thread named {@code cadre-compute-...} is never touched. A JVM started under
 * {@code SCHED_IDLE} as a whole is left alone too.
 *
 * <p>Putting a thread back needs {@code CAP_SYS_NICE} or a large enough {@code RLIMIT_NICE}
 * ({@link PriorityPrivilege}); without it the guard starts no process, and says once, as a WARN
 * naming the threads, that they keep the low priority (later ones at DEBUG). When the main
 * thread's nice value changes (a replacement worker booted at a lower priority gets the normal one
 * back from its primary), threads the guard had given the old value get the new one.
 *
 * <p>Runs on its own daemon thread, {@code cadre-prio-guard}, until the pool stops (not named
 * {@code cadre-compute-...}: the kernel's 15-character thread name would then pass for a compute
 * thread's, and the primary's boot-priority step leaves those alone). Confined to that thread but
 * for the static registry.
 */
final class PriorityGuard {
    /** How often the threads are checked. UNIT: ms. */
    static final long PERIOD_MILLIS = 2_000;
    private static final String COMPUTE_THREAD = "cadre-compute-";
    /** The kernel thread ids of the compute threads of every pool of this JVM. */
    private static final Set<String> COMPUTE_THREADS = ConcurrentHashMap.newKeySet();

    private final Set<String> own;
    private final int niceness;
    private final boolean idle;
    private final BooleanSupplier stopped;
    private final Logger log;
    /** Threads already looked at and found normal, or given up on. */
    private final Set<String> known = new HashSet<>();
    /** Threads this guard put back, and the nice value it gave each. */
    private final Map<String, Integer> putBack = new HashMap<>();
    private boolean privileged;
    private boolean warned;
    private boolean reported;

    private PriorityGuard(Set<String> own, int niceness, boolean idle, BooleanSupplier stopped, Logger log) {
        this.own = Set.copyOf(own);
        this.niceness = niceness;
        this.idle = idle;
        this.stopped = stopped;
        this.log = log;
        OptionalInt base = Niceness.statField(mainThread(), 19);
        this.privileged = base.isPresent() && PriorityPrivilege.mayRaiseTo(base.getAsInt());
    }

    /** A guard for the pool whose compute threads are {@code own}; {@link #check} runs one pass, {@link #start} runs them all. */
    static PriorityGuard create(Set<String> own, int niceness, boolean idle, BooleanSupplier stopped, Logger log) {
        return new PriorityGuard(own, niceness, idle, stopped, log);
    }

    /** Marks {@code tids} as compute threads for every guard of this JVM; call it before lowering them. */
    static void register(Set<String> tids) {
        COMPUTE_THREADS.addAll(tids);
    }

    /** Undoes {@link #register} once the threads are gone or were not lowered. */
    static void unregister(Set<String> tids) {
        COMPUTE_THREADS.removeAll(tids);
    }

    /** Starts checking, every {@link #PERIOD_MILLIS}, until {@code stopped} says so; then unregisters {@code own}. */
    static void start(Set<String> own, int niceness, boolean idle, BooleanSupplier stopped, Logger log) {
        PriorityGuard guard = create(own, niceness, idle, stopped, log);
        Thread.ofPlatform().name("cadre-prio-guard").daemon(true).start(guard::run);
    }

    private void run() {
        try {
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
        } finally {
            unregister(own);
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
                if (!known.contains(tid) && !putBack.containsKey(tid) && !COMPUTE_THREADS.contains(tid)) {
                    fresh.add(tid);
                }
            }
        } catch (IOException e) {
            return; // no /proc: nothing to check
        }
        known.retainAll(alive); // a thread id can be reused once its thread ends
        putBack.keySet().retainAll(alive);
        if (fresh.isEmpty() && putBack.isEmpty()) {
            return; // nothing new, and no thread to keep at the main thread's nice value
        }
        int[] main = Niceness.statFields(mainThread(), 19, 41); // nice, policy
        if (main == null || main[1] == Niceness.SCHED_IDLE) {
            return; // unreadable, or the whole process runs under SCHED_IDLE (chrt --idle java ...): nothing inherited
        }
        int base = main[0];
        followMainThread(base);
        List<String> inherited = new ArrayList<>();
        for (String tid : fresh) {
            if (lowered(tid, base)) {
                inherited.add(tid);
            } else {
                known.add(tid);
            }
        }
        if (!inherited.isEmpty()) {
            putBack(inherited, base);
        }
    }

    private void putBack(List<String> inherited, int base) {
        List<String> names = inherited.stream().map(PriorityGuard::name).toList();
        String priority = idle ? "SCHED_IDLE" : "nice " + niceness;
        String why = privileged ? Niceness.restore(inherited, base, idle)
                : "this process may not raise a priority again (it needs CAP_SYS_NICE or RLIMIT_NICE)";
        if (why != null) {
            privileged = false; // no further attempt: each would fail the same way
            known.addAll(inherited);
            if (!warned) {
                warned = true;
                log.warn("threads {} inherited the compute threads' priority ({}) and keep it: {}; later ones are logged at DEBUG;"
                        + " see docs/compute-pool.md", names, priority, why);
            } else {
                log.debug("threads {} inherited the compute threads' priority ({}) and keep it", names, priority);
            }
            return;
        }
        inherited.forEach(tid -> putBack.put(tid, base));
        if (!reported) {
            reported = true;
            log.info("threads {} had inherited the compute threads' priority ({}), from a thread, pool or virtual thread a"
                    + " compute task started or woke; they run at normal priority again (later ones are logged at DEBUG)",
                    names, priority);
        } else {
            log.debug("threads {} had inherited the compute threads' priority ({}); normal again", names, priority);
        }
    }

    /** Threads given an earlier main-thread nice value that still have it get the current one. */
    private void followMainThread(int base) {
        List<String> stale = new ArrayList<>();
        putBack.forEach((tid, given) -> {
            if (given != base && Niceness.statField(tid, 19).orElse(base) == given) {
                stale.add(tid);
            }
        });
        if (stale.isEmpty() || !privileged) {
            return;
        }
        if (Niceness.restore(stale, base, false) == null) {
            stale.forEach(tid -> putBack.put(tid, base));
        } else {
            privileged = false;
        }
    }

    private boolean lowered(String tid, int base) {
        boolean low = idle ? Niceness.statField(tid, 41).orElse(-1) == Niceness.SCHED_IDLE
                : niceness > 0 && base != niceness && Niceness.statField(tid, 19).orElse(base) == niceness;
        return low && !own.contains(tid) && !name(tid).startsWith(COMPUTE_THREAD); // the name only for the few that look lowered
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
