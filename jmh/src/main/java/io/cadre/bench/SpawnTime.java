package io.cadre.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Worker spawn to first served response: runs the app with one worker while a client keeps asking
 * for {@code /plaintext} on fresh connections (retrying 1 ms after a refused connection), SIGKILLs the worker RUNS times, and reads from each
 * replacement's log how long after its fork it served its first response (both processes stamp
 * the wall clock: the primary when it forks, the worker when its first exchange completes).
 * Usage: {@code SpawnTime JAR [RUNS]}.
 */
public final class SpawnTime {
    private static final Pattern FIRST = Pattern.compile("served its first response (\\d+) ms after its fork");
    private static final Pattern READY = Pattern.compile(
            "ready on \\S+ (\\d+) ms after its fork \\(JVM to main (\\d+), IPC (\\d+), checks and hooks (\\d+), HTTP server (\\d+)\\)");

    /** Kills per cluster: restart delays stay at 1..2^(n-1) ms. */
    static final int KILLS_PER_CLUSTER = 8;

    private SpawnTime() {
    }

    private static void measure(Path jar, int kills, int offset, List<Long> first, List<long[]> phases) throws Exception {
        try (Cluster cluster = Cluster.start(jar, "--port", "0", "--workers", "1", "--restart-delay", "1", "--breaker", "100000/60000")) {
            AtomicBoolean running = new AtomicBoolean(true);
            Thread client = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    if (!Cluster.get(cluster.port, "/plaintext")) {
                        try {
                            Thread.sleep(1); // refused: no worker listens; retry without eating a core
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            cluster.await(cluster.stderr, FIRST.asPredicate(), 60); // the first worker's own
            for (int i = 0; i < kills; i++) {
                Thread.sleep(500); // let the worker settle: JIT, relays
                cluster.workers().forEach(ProcessHandle::destroyForcibly);
                String ready = cluster.await(cluster.stderr, READY.asPredicate(), 60);
                Matcher r = READY.matcher(ready);
                r.find();
                phases.add(new long[] {Long.parseLong(r.group(2)), Long.parseLong(r.group(3)), Long.parseLong(r.group(4)),
                    Long.parseLong(r.group(5)), Long.parseLong(r.group(1))});
                Matcher f = FIRST.matcher(cluster.await(cluster.stderr, FIRST.asPredicate(), 60));
                f.find();
                first.add(Long.parseLong(f.group(1)));
                System.out.printf("run %2d: first response %4d ms after fork (ready %s)%n", offset + i + 1, first.getLast(),
                        ready.replaceAll(".*after its fork ", ""));
            }
            running.set(false);
            client.join();
        }
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 21;
        List<Long> first = new ArrayList<>();
        List<long[]> phases = new ArrayList<>();
        int done = 0;
        while (done < runs) {
            // a fresh primary every few kills: each kill doubles the slot's restart delay until the
            // worker has been up 30 s, and the delay is not what this measures
            int batch = Math.min(KILLS_PER_CLUSTER, runs - done);
            measure(jar, batch, done, first, phases);
            done += batch;
        }
        List<Long> sorted = new ArrayList<>(first);
        Collections.sort(sorted);
        System.out.printf("spawn to first response over %d runs: median %d ms, p90 %d ms, min %d ms, max %d ms%n",
                runs, sorted.get(runs / 2), sorted.get((int) Math.ceil(runs * 0.9) - 1), sorted.getFirst(), sorted.getLast());
        String[] names = {"JVM to main", "IPC", "checks and hooks", "HTTP server", "ready"};
        StringBuilder medians = new StringBuilder("median phases:");
        for (int p = 0; p < names.length; p++) {
            int idx = p;
            List<Long> v = new ArrayList<>(phases.stream().map(a -> a[idx]).toList());
            Collections.sort(v);
            medians.append(String.format(" %s %d ms;", names[p], v.get(v.size() / 2)));
        }
        System.out.println(medians);
    }
}
