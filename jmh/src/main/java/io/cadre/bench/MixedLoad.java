package io.cadre.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Does I/O latency hold while compute runs? Starts the reference app, then measures {@code /plaintext}
 * and {@code /io?ms=1} at a fixed rate (open loop, HdrHistogram) three ways: idle; while
 * {@code /compute?ms=20} ({@code @CpuBound}, the compute pool) is kept saturated; and while
 * {@code /compute-vt?ms=20} (the same work left on virtual threads) is. Prints p50/p99/p99.9 and
 * each p99 as a multiple of its idle p99.
 * Usage: {@code MixedLoad JAR [WORKERS] [SECONDS] [RATE] [SATURATING_CONNECTIONS] [APP OPTIONS...]}.
 */
public final class MixedLoad {
    private MixedLoad() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int rate = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int saturating = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        List<String> appArgs = new ArrayList<>(List.of("--port", "0", "--workers", Integer.toString(workers)));
        for (int i = 5; i < args.length; i++) {
            appArgs.add(args[i]);
        }
        try (Cluster cluster = Cluster.start(jar, appArgs.toArray(String[]::new))) {
            int port = cluster.port;
            System.out.printf("reference app %s; probes: %d req/s each over 4 keep-alive connections, %d s per scenario;"
                    + " saturation: %d connections%n", String.join(" ", appArgs), rate, seconds, saturating);
            warm(port);
            List<HttpLoad.Result> idle = probes(port, seconds, rate);
            report("idle", idle, idle, null);
            List<String> burns = Boolean.getBoolean("mixed.skipVirtual") ? List.of("/compute?ms=20") : List.of("/compute?ms=20", "/compute-vt?ms=20");
            for (String burn : burns) {
                HttpLoad.Saturation s = HttpLoad.saturate(port, burn, saturating);
                Thread.sleep(1_000); // let the load settle
                List<HttpLoad.Result> loaded = probes(port, seconds, rate);
                s.stop();
                report("while " + burn + " saturates", loaded, idle, s);
            }
        }
    }

    private static void warm(int port) throws InterruptedException {
        HttpLoad.probe(port, "/plaintext", 500, 5, 4);
        HttpLoad.probe(port, "/io?ms=1", 500, 5, 4);
        HttpLoad.Saturation s = HttpLoad.saturate(port, "/compute?ms=20", 4);
        Thread.sleep(3_000);
        s.stop();
        s = HttpLoad.saturate(port, "/compute-vt?ms=20", 4);
        Thread.sleep(3_000);
        s.stop();
    }

    /** Both probes at once, each on its own connections. */
    private static List<HttpLoad.Result> probes(int port, int seconds, int rate) throws Exception {
        List<HttpLoad.Result> results = new ArrayList<>();
        Thread io = Thread.ofPlatform().start(() -> {
            try {
                HttpLoad.Result r = HttpLoad.probe(port, "/io?ms=1", rate, seconds, 4);
                synchronized (results) {
                    results.add(r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        HttpLoad.Result plain = HttpLoad.probe(port, "/plaintext", rate, seconds, 4);
        io.join();
        synchronized (results) {
            results.addFirst(plain);
        }
        return results;
    }

    private static void report(String scenario, List<HttpLoad.Result> results, List<HttpLoad.Result> idle, HttpLoad.Saturation s) {
        System.out.println("== " + scenario + (s == null ? "" : String.format(" (compute answered %d, refused %d)", s.ok.get(), s.refused.get())));
        for (int i = 0; i < results.size(); i++) {
            HttpLoad.Result r = results.get(i);
            System.out.printf("%s  p99 = %.2fx idle%n", r, (double) r.p99() / Math.max(1, idle.get(i).p99()));
        }
    }
}
