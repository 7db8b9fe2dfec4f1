package io.cadre.compute.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process may raise a thread's CPU priority again (Linux): lower its nice value, or
 * move it from {@code SCHED_IDLE} back to {@code SCHED_OTHER}. Anyone may lower a priority; raising
 * it needs {@code CAP_SYS_NICE} in the effective capability set, or an {@code RLIMIT_NICE} whose
 * soft limit allows the target nice value (ceiling {@code 20 - limit}). Being root is not enough
 * by itself: a container runtime usually drops {@code CAP_SYS_NICE} (Docker's default set has
 * none), so root in a container cannot.
 */
public final class PriorityPrivilege {
    /** {@code CAP_SYS_NICE}, bit 23 of the capability sets in {@code /proc/<pid>/status}. */
    private static final int CAP_SYS_NICE = 23;

    private PriorityPrivilege() {
    }

    /** Whether a thread of this process may be given nice value {@code nice} (and {@code SCHED_OTHER}) back after being lowered. */
    public static boolean mayRaiseTo(int nice) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:") && (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << CAP_SYS_NICE)) != 0) {
                    return true;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max nice priority")) {
                    String soft = line.substring("Max nice priority".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") || Long.parseLong(soft) >= 20 - nice;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: assume not
        }
        return false;
    }
}
