package io.cadre.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The first requests a new worker serves after a rolling restart, with and without
 * {@code --warm-up}: the reference app with one worker, so that after each rollout every request
 * meets the new worker; after "rolling restart done" one client sends {@code REQUESTS} requests to
 * {@code PATH} back to back on one keep-alive connection and records each one's latency. Nothing
 * else loads the machine, as on a host with CPU to spare, where a warm-up takes about a second.
 * Usage: {@code FirstRequests JAR [ROUNDS] [REQUESTS] [PATH]}.
 */
public final class FirstRequests {
    private FirstRequests() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        String path = args.length > 3 ? args[3] : "/json";
        System.out.printf("reference app, 1 worker; after each of %d rolling restarts, %d requests to %s on one keep-alive connection%n",
                rounds, requests, path);
        for (String warmUp : List.of("", path)) {
            List<String> cli = new ArrayList<>(List.of("--port", "0", "--workers", "1"));
            if (!warmUp.isEmpty()) {
                cli.addAll(List.of("--warm-up", warmUp));
            }
            Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            long totalNanos = 0;
            try (Cluster cluster = Cluster.start(jar, cli.toArray(String[]::new))) {
                for (int r = 1; r <= rounds; r++) {
                    List<String> warmUps = cluster.rollingRestart(120);
                    String warmed = warmUps.isEmpty() ? null : warmUps.getLast().substring(warmUps.getLast().indexOf("warmed up on"));
                    Histogram round = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                    HttpLoad.Connection c = new HttpLoad.Connection(cluster.port);
                    long start = System.nanoTime();
                    for (int i = 0; i < requests; i++) {
                        long t = System.nanoTime();
                        int status = c.get(path);
                        if (status != 200) {
                            throw new IllegalStateException(path + " answered " + status);
                        }
                        round.recordValue(System.nanoTime() - t);
                    }
                    long took = System.nanoTime() - start;
                    c.socket.close();
                    totalNanos += took;
                    all.add(round);
                    System.out.printf("--warm-up %-10s round %d: %d requests in %4d ms; p50 %.2f ms, p99 %.2f ms, max %.1f ms%s%n",
                            warmUp.isEmpty() ? "none" : warmUp, r, requests, TimeUnit.NANOSECONDS.toMillis(took),
                            round.getValueAtPercentile(50) / 1e6, round.getValueAtPercentile(99) / 1e6, round.getMaxValue() / 1e6,
                            warmed == null ? "" : " (" + warmed + ")");
                }
            }
            System.out.printf("--warm-up %-10s all rounds: mean %d ms for %d requests; p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms%n",
                    warmUp.isEmpty() ? "none" : warmUp, TimeUnit.NANOSECONDS.toMillis(totalNanos / rounds), requests,
                    all.getValueAtPercentile(50) / 1e6, all.getValueAtPercentile(99) / 1e6, all.getValueAtPercentile(99.9) / 1e6,
                    all.getMaxValue() / 1e6);
        }
    }
}
