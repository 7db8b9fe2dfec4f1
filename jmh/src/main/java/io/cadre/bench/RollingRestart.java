package io.cadre.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Throughput and failures during rolling restarts. Starts the reference app, drives {@code /plaintext}
 * with a closed loop of clients (half on keep-alive connections, half with a new connection per
 * request), warms it up (not counted), measures a steady phase, then sends SIGHUP {@code ROUNDS} times (each waits for
 * "rolling restart (SIGHUP) done"), then, after the same warm-up for the last new workers, a last steady phase. Prints throughput per second, the mean
 * in steady state and during the rollouts, the worst second, and every non-2xx answer and transport
 * error. A keep-alive client whose idle connection was closed under it retries once on a new one (as
 * HTTP/1.1 clients do); those retries are counted apart.
 * Usage: {@code RollingRestart JAR [WORKERS] [ROUNDS] [CLIENTS] [STEADY_SECONDS] [WARMUP_SECONDS]}.
 */
public final class RollingRestart {
    private RollingRestart() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int steady = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        String migrate;
        try {
            migrate = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).trim();
        } catch (IOException e) {
            migrate = "absent";
        }
        try (Cluster cluster = Cluster.start(jar, "--port", "0", "--workers", Integer.toString(workers))) {
            int port = cluster.port;
            AtomicLongArray perSecond = new AtomicLongArray(3_600);
            Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
            AtomicLong retried = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            long start = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                boolean keepAlive = i % 2 == 0;
                threads.add(Thread.ofPlatform().start(() -> drive(port, keepAlive, running, start, perSecond, failures, retried)));
            }
            Thread.sleep((warmup + steady) * 1_000L);
            int rolloutFrom = second(start);
            List<String> warmUpLines = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                warmUpLines.addAll(cluster.rollingRestart(300));
            }
            int rolloutTo = second(start);
            Thread.sleep((warmup + steady) * 1_000L); // the last replacements warm up too before "after" is measured
            int end = second(start);
            running.set(false);
            for (Thread t : threads) {
                t.join(60_000);
            }
            double steadyRate = mean(perSecond, rolloutFrom - steady, rolloutFrom, end - steady + 1, end);
            double rolloutRate = mean(perSecond, rolloutFrom, rolloutTo, rolloutTo, rolloutTo);
            long worst = Long.MAX_VALUE;
            for (int s = rolloutFrom; s < rolloutTo; s++) {
                worst = Math.min(worst, perSecond.get(s));
            }
            System.out.printf("reference app, %d workers, %d rolling restarts (SIGHUP) under %d clients on /plaintext "
                    + "(%d keep-alive, %d new connection per request); %d s warm-up, then %d s steady, before and after the rollouts; "
                    + "net.ipv4.tcp_migrate_req=%s%n", workers, rounds, clients, (clients + 1) / 2, clients / 2, warmup, steady, migrate);
            StringBuilder series = new StringBuilder();
            for (int s = 0; s < end; s++) {
                series.append(perSecond.get(s)).append(s == rolloutFrom || s == rolloutTo ? " | " : " ");
            }
            System.out.println("requests per second (| marks the rollouts' start and end): " + series.toString().trim());
            System.out.printf("steady: %.0f req/s (before %.0f, after %.0f); during the rollouts (%d s): %.0f req/s (%.1f%% of steady);"
                    + " worst second: %d req/s%n", steadyRate, mean(perSecond, rolloutFrom - steady, rolloutFrom, 0, 0),
                    mean(perSecond, end - steady + 1, end, 0, 0), rolloutTo - rolloutFrom, rolloutRate, 100 * rolloutRate / steadyRate,
                    worst == Long.MAX_VALUE ? 0 : worst);
            // A longer rollout with the same loss shows a smaller dip: the requests lost against steady state tell them apart.
            double lost = (steadyRate - rolloutRate) * (rolloutTo - rolloutFrom);
            System.out.printf("requests short of steady state during the rollouts: %.0f in all, %.0f per replaced worker (%.1f s of steady"
                    + " throughput each)%n", lost, lost / (rounds * workers), lost / (rounds * workers) / steadyRate);
            System.out.printf("failures: %s; keep-alive retries after an idle close: %d%n", failures.isEmpty() ? "none" : failures,
                    retried.get());
            List<Long> warmUps = new ArrayList<>();
            Pattern warmed = Pattern.compile("warmed up on .*: (\\d+) requests in (\\d+) ms");
            for (String line : warmUpLines) {
                Matcher m = warmed.matcher(line);
                if (m.find()) {
                    warmUps.add(Long.parseLong(m.group(2)));
                }
                if (line.contains("left out") || line.contains("time limit")) {
                    System.out.println("warm-up: " + line);
                }
            }
            if (!warmUps.isEmpty()) {
                Collections.sort(warmUps);
                System.out.printf("warm-ups (--warm-up): %d, median %d ms, max %d ms%n", warmUps.size(), warmUps.get(warmUps.size() / 2),
                        warmUps.getLast());
            }
        }
    }

    private static int second(long start) {
        return (int) ((System.nanoTime() - start) / 1_000_000_000L);
    }

    /** The mean of seconds [a, b) and [c, d). */
    private static double mean(AtomicLongArray perSecond, int a, int b, int c, int d) {
        long sum = 0;
        int n = 0;
        for (int s = a; s < b; s++, n++) {
            sum += perSecond.get(s);
        }
        for (int s = c; s < d; s++, n++) {
            sum += perSecond.get(s);
        }
        return n == 0 ? 0 : (double) sum / n;
    }

    private static void drive(int port, boolean keepAlive, AtomicBoolean running, long start, AtomicLongArray perSecond,
            Map<String, AtomicLong> failures, AtomicLong retried) {
        HttpLoad.Connection c = null;
        boolean reused = false;
        while (running.get()) {
            try {
                if (c == null) {
                    c = new HttpLoad.Connection(port);
                    reused = false;
                }
                int status;
                try {
                    status = c.get("/plaintext");
                } catch (IOException e) {
                    if (!keepAlive || !reused || !"connection closed".equals(e.getMessage())) {
                        throw e;
                    }
                    retried.incrementAndGet();
                    c.socket.close();
                    c = new HttpLoad.Connection(port);
                    status = c.get("/plaintext");
                }
                reused = true;
                if (status / 100 == 2) {
                    perSecond.incrementAndGet(second(start));
                } else {
                    failures.computeIfAbsent("HTTP " + status, k -> new AtomicLong()).incrementAndGet();
                }
                if (!keepAlive) {
                    c.socket.close();
                    c = null;
                }
            } catch (IOException e) {
                String message = e.getMessage();
                if ("server closed the connection".equals(message)) {
                    perSecond.incrementAndGet(second(start)); // answered 2xx with Connection: close while draining
                } else {
                    failures.computeIfAbsent(e.getClass().getSimpleName() + ": " + message, k -> new AtomicLong()).incrementAndGet();
                }
                if (c != null) {
                    try {
                        c.socket.close();
                    } catch (IOException ignored) {
                        // broken
                    }
                    c = null;
                }
            }
        }
        if (c != null) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
