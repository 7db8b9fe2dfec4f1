package io.cadre.internal.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Linux facts read from {@code /proc}. Every method is safe to call from any thread. */
public final class Proc {
    private Proc() {
    }

    /** Whether this JVM runs on Linux, the only platform Cadre supports. */
    public static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /** Fails with a clear message when not on Linux. */
    public static void requireLinux(String what) {
        if (!isLinux()) {
            throw new UnsupportedOperationException(what + " needs Linux (SO_REUSEPORT load balancing, /proc); this is "
                    + System.getProperty("os.name"));
        }
    }

    /** This process's resident set size ({@code VmRSS} of {@code /proc/self/status}), or 0 when unreadable. UNIT: bytes. */
    public static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    /**
     * Field {@code n} (1-based, as proc(5) numbers them; 3 or later) of a {@code stat} file of
     * {@code /proc} ({@code /proc/<pid>/stat}, {@code /proc/<pid>/task/<tid>/stat}), when readable and
     * a number: 19 is the nice value, 41 the scheduling policy.
     */
    public static OptionalInt statField(Path stat, int n) {
        try {
            String s = Files.readString(stat);
            // Field 2, the command name, is in parentheses and may hold spaces and ')': count after the last one.
            String[] fields = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            return OptionalInt.of(Integer.parseInt(fields[n - 3]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /** The value of {@code name} in the environment of process {@code pid}, when readable. */
    public static Optional<String> environ(long pid, String name) {
        try {
            byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            String prefix = name + "=";
            for (String entry : new String(bytes, StandardCharsets.UTF_8).split("\0")) {
                if (entry.startsWith(prefix)) {
                    return Optional.of(entry.substring(prefix.length()));
                }
            }
        } catch (IOException | SecurityException e) {
            // not ours, or gone
        }
        return Optional.empty();
    }

    /** The pids of this user's processes that hold a TCP socket listening on {@code port}. */
    public static Set<Long> listenersOf(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 10 || !f[3].equals("0A")) {
                        continue; // header, or not LISTEN
                    }
                    String local = f[1];
                    int p = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
                    if (p == port) {
                        inodes.add(f[9]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no IPv6, or an unreadable table: fewer answers, never an error
            }
        }
        Set<Long> pids = new HashSet<>();
        if (inodes.isEmpty()) {
            return pids;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                if (holdsAny(proc.resolve("fd"), inodes)) {
                    pids.add(Long.parseLong(proc.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            // fewer answers
        }
        return pids;
    }

    private static boolean holdsAny(Path fdDir, Set<String> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        } catch (IOException | SecurityException e) {
            // another user's process
        }
        return false;
    }
}
