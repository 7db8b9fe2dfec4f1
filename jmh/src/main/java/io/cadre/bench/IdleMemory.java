package io.cadre.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Idle worker memory with the default worker options: starts the app with WORKERS workers, warms
 * each route, leaves it idle IDLE_SECONDS, then reads each worker's resident set (VmRSS) and
 * proportional set (Pss, which splits shared pages such as the AOT cache between workers) from
 * /proc. Usage: {@code IdleMemory JAR [WORKERS] [IDLE_SECONDS] [APP OPTIONS...]}.
 */
public final class IdleMemory {
    private IdleMemory() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int idle = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        try (Cluster cluster = Cluster.start(jar, withExtra(List.of("--port", "0", "--workers", Integer.toString(workers)), args))) {
            for (int i = 0; i < 2000; i++) {
                Cluster.get(cluster.port, i % 3 == 0 ? "/plaintext" : i % 3 == 1 ? "/json" : "/whoami");
            }
            Thread.sleep(idle * 1000L);
            List<Long> rss = new ArrayList<>();
            for (ProcessHandle worker : cluster.workers()) {
                long kb = kb(worker.pid(), "status", "VmRSS:");
                long pss = kb(worker.pid(), "smaps_rollup", "Pss:");
                rss.add(kb);
                System.out.printf("worker pid %d: RSS %.1f MiB, PSS %.1f MiB%n", worker.pid(), kb / 1024.0, pss / 1024.0);
            }
            System.out.printf("primary pid %d: RSS %.1f MiB%n", cluster.process.pid(), kb(cluster.process.pid(), "status", "VmRSS:") / 1024.0);
            Collections.sort(rss);
            System.out.printf("idle worker RSS after %d s: median %.1f MiB, max %.1f MiB (%d workers)%n",
                    idle, rss.get(rss.size() / 2) / 1024.0, rss.getLast() / 1024.0, rss.size());
        }
    }

    /** The base options plus anything after the third argument (passed to the app as is). */
    private static String[] withExtra(List<String> base, String[] args) {
        List<String> all = new ArrayList<>(base);
        for (int i = 3; i < args.length; i++) {
            all.add(args[i]);
        }
        return all.toArray(String[]::new);
    }

    private static long kb(long pid, String file, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(key + " not in /proc/" + pid + "/" + file);
    }
}
