package io.cadre.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.internal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating a running cluster: rolling restarts under load (and one that a bad deploy stops),
 * hung workers, recycling by requests and by memory, scaling by signal and by CLI, and every ctl
 * command.
 */
class OperationsIT {
    static final Duration BOOT = Duration.ofSeconds(90);
    static final Pattern READY = Pattern.compile("worker (\\d+) \\(pid (\\d+), generation (\\d+)\\) is ready");

    @TempDir
    Path runtimeDir;

    ClusterProcess start(List<String> args, Map<String, String> env) throws Exception {
        List<String> all = new ArrayList<>(List.of("--port", "0"));
        all.addAll(args);
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("CADRE_RUNTIME_DIR", runtimeDir.toString());
        return ClusterProcess.start(TestApp.class, all, e);
    }

    /** Runs {@code ctl ARGS} against the cluster of this test's runtime directory; returns exit code and output. */
    CtlResult ctl(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ctl"));
        all.addAll(List.of(args));
        try (ClusterProcess c = ClusterProcess.start(TestApp.class, all, Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString()))) {
            int code = c.awaitExit(Duration.ofMinutes(5));
            return new CtlResult(code, String.join("\n", c.stdout()), String.join("\n", c.stderr()));
        }
    }

    record CtlResult(int code, String out, String err) {
    }

    static long pidOf(int port) throws Exception {
        return Json.MAPPER.readTree(RawHttp.get(port, "/whoami").body()).get("pid").asLong();
    }

    /** The generations whose workers are ready, by worker id, from the primary's log. */
    static Map<Integer, Integer> readyGenerations(ClusterProcess cluster) {
        Map<Integer, Integer> latest = new java.util.TreeMap<>();
        for (String line : cluster.stderr()) {
            Matcher m = READY.matcher(line);
            if (m.find()) {
                latest.merge(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)), Math::max);
            }
        }
        return latest;
    }

    @Test
    void rollingRestartsUnderLoadLoseNoRequestAndEndOnNewGenerations() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "2", "--admin-port", "0", "--warm-up", "/whoami",
                "--warm-up-requests", "300"), Map.of())) {
            int port = cluster.awaitListening(BOOT);
            Matcher admin = Pattern.compile("metrics: http://127\\.0\\.0\\.1:(\\d+)/metrics").matcher(String.join("\n", cluster.stdout()));
            assertThat(admin.find()).isTrue();
            int adminPort = Integer.parseInt(admin.group(1));
            boolean migrate = migrateRequests();
            try (Load load = Load.start(port, 6, "/whoami")) {
                for (int round = 1; round <= 3; round++) {
                    cluster.signal("HUP");
                    int r = round;
                    cluster.awaitStderr(l -> l.contains("rolling restart (SIGHUP) done: 2 workers replaced")
                            && cluster.stderr().stream().filter(x -> x.contains("rolling restart (SIGHUP) done")).count() >= r, BOOT);
                }
                long before = load.answered();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (load.answered() < before + 50 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                load.close();
                System.out.printf("OperationsIT: 3 rolling restarts, %d answers, %d retried on a closed idle connection, non-2xx %s, "
                        + "errors %s (tcp_migrate_req=%s)%n", load.answered(), load.retried(), load.non2xx(), load.errors(), migrate ? 1 : 0);
                assertNoRequestLost(load);
                assertThat(load.answered()).isGreaterThan(before);
            }
            assertThat(readyGenerations(cluster)).containsEntry(1, 4).containsEntry(2, 4);
            assertThat(cluster.stderr()).noneMatch(l -> l.contains("crash breaker"));
            // each replacement warmed up before it joined the port; the first workers did not
            assertThat(cluster.stderr().stream().filter(l -> l.matches(".*worker [12] warmed up on /whoami: 300 requests in \\d+ ms"))
                    .count()).as(cluster.output()).isEqualTo(6);
            String metrics = RawHttp.get(adminPort, "/metrics").body();
            double rollouts = metrics.lines().filter(l -> l.startsWith("cadre_worker_restarts_total{") && l.contains("cause=\"rollout\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertThat(rollouts).as(metrics).isEqualTo(6.0);
        }
    }

    @Test
    void aRolloutWhoseNewWorkerFailsReadinessStopsAndTheOldOnesKeepServing() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "2"), Map.of("TEST_FAIL_GENERATION", "2"))) {
            int port = cluster.awaitListening(BOOT);
            try (Load load = Load.start(port, 4, "/whoami")) {
                CtlResult reload = ctl("reload");
                assertThat(reload.code()).isEqualTo(1);
                assertThat(reload.out()).contains("rolling restart stopped after 0 replaced").contains("keep serving")
                        .contains("worker 1: started worker 1");
                load.close();
                assertThat(load.non2xx()).isEmpty();
                assertThat(load.errors()).isEmpty();
            }
            assertThat(readyGenerations(cluster)).containsEntry(1, 1).containsEntry(2, 1);
            assertThat(cluster.stderr()).anyMatch(l -> l.contains("startup check 'deploy' failed: generation 3 is a bad deploy")
                    || l.contains("startup check 'deploy' failed: generation 2 is a bad deploy"));
            assertThat(RawHttp.get(port, "/whoami").status()).isEqualTo(200);
        }
    }

    @Test
    void aReplacementBootsAtALowerPriorityAndGetsTheNormalOneBackWhenReady() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "1", "--boot-nice", "7"), Map.of())) {
            int port = cluster.awaitListening(BOOT);
            // the primary's own nice value (its /proc/<pid>/stat, the process's first thread), which workers inherit
            int base = io.cadre.internal.util.Proc.statField(Path.of("/proc", Long.toString(cluster.pid()), "stat"), 19)
                    .orElseThrow(() -> new AssertionError("no nice value in /proc/" + cluster.pid() + "/stat"));
            boolean lowered = cluster.stderr().stream().noneMatch(l -> l.contains("replacement workers boot at normal priority"));
            cluster.signal("HUP");
            String forked = cluster.awaitStderr(l -> l.contains("forked worker 1 (pid") && l.contains("generation 2"), BOOT);
            Matcher m = Pattern.compile("pid (\\d+)").matcher(forked);
            assertThat(m.find()).isTrue();
            long pid = Long.parseLong(m.group(1));
            if (lowered) {
                // the JVM runs at the boot priority from its first thread on, until it is ready
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                Integer seen = null;
                while (System.nanoTime() < deadline && (seen == null || seen != base + 7)
                        && cluster.find(cluster.stderr(), l -> l.contains("generation 2) booted at nice")).isEmpty()) {
                    seen = niceValues(pid).get("java");
                    Thread.sleep(2);
                }
                assertThat(seen).as("the booting worker's main thread").isEqualTo(base + 7);
                String restored = cluster.awaitStderr(l -> l.contains("(pid " + pid + ", generation 2) booted at nice " + (base + 7)
                        + "; ready: "), BOOT);
                assertThat(restored).endsWith("threads back at nice " + base);
            }
            // the old worker gone: with tcp_migrate_req=0 a request queued on its closing listener would be reset
            cluster.awaitStderr(l -> l.contains("rolling restart (SIGHUP) done"), BOOT);
            assertThat(RawHttp.get(port, "/whoami").status()).isEqualTo(200);
            Map<String, Integer> threads = niceValues(pid);
            assertThat(threads).as("every thread at the normal priority (this app has no compute pool)")
                    .allSatisfy((name, nice) -> assertThat(nice).as(name).isEqualTo(base));
            assertThat(readyGenerations(cluster)).containsEntry(1, 2);
            // reported as skipped, not passed: the boot-priority part above was not checked
            org.junit.jupiter.api.Assumptions.assumeTrue(lowered,
                    "the primary cannot lower a worker's priority here (replacement workers boot at normal priority): "
                            + "only the normal priority after the restart was checked");
        }
    }

    /** The nice value of each thread of {@code pid} by thread name (the highest when names repeat). */
    static Map<String, Integer> niceValues(long pid) throws java.io.IOException {
        Map<String, Integer> nice = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                var value = io.cadre.internal.util.Proc.statField(task.resolve("stat"), 19);
                try {
                    if (value.isPresent()) {
                        nice.merge(Files.readString(task.resolve("comm")).trim(), value.getAsInt(), Math::max);
                    }
                } catch (java.io.IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return nice;
    }

    @Test
    void aWorkerWhoseThreadsLoopIsDumpedKilledAndReplaced() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "1", "--hang-timeout", "2000"), Map.of("TEST_SPIN", "1"))) {
            int port = cluster.awaitListening(BOOT);
            long pid = pidOf(port);
            List<Thread> spinners = new ArrayList<>();
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors() + 2; i++) { // every carrier thread of the worker
                spinners.add(Thread.ofVirtual().start(() -> {
                    try {
                        RawHttp.request(port, "GET", "/spin", null, 120_000);
                    } catch (Exception e) {
                        // the worker is killed under it
                    }
                }));
            }
            long hungAt = System.nanoTime();
            cluster.awaitStderr(l -> l.contains("worker 1 (pid " + pid + ", generation 1) sent no heartbeat for"), BOOT);
            cluster.awaitStdout(l -> l.startsWith("[worker 1] Full thread dump"), BOOT);
            cluster.awaitStderr(l -> l.contains("worker 1 (pid") && l.contains("generation 2) is ready"), BOOT);
            System.out.printf("OperationsIT: looping worker replaced %d ms after its loops began (hang timeout 2000 ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hungAt));
            assertThat(cluster.stderr()).anyMatch(l -> l.contains("it was stopped because it hung: no heartbeat for"));
            assertThat(pidOf(port)).isNotEqualTo(pid);
            for (Thread t : spinners) {
                t.join(30_000);
            }
        }
    }

    @Test
    void aServingWorkerThatDiesWhileItsReplacementBootsIsTakenOverByThatReplacement() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "1"), Map.of())) {
            int port = cluster.awaitListening(BOOT);
            long old = pidOf(port);
            cluster.signal("HUP");
            cluster.awaitStderr(l -> l.contains("forked worker 1 (pid") && l.contains("generation 2"), BOOT);
            Signal.send(old, "KILL"); // the replacement needs hundreds of ms more to be ready

            cluster.awaitStderr(l -> l.contains("generation 2) takes over when it is ready"), BOOT);
            cluster.awaitStderr(l -> l.contains("rolling restart (SIGHUP) stopped after 0 replaced"), BOOT);
            cluster.awaitStderr(l -> l.contains("generation 2) is ready and replaces"), BOOT);
            assertThat(RawHttp.get(port, "/whoami").status()).isEqualTo(200);

            // the rollout is over (a stuck one refuses the next) and no third worker was forked for the dead one
            cluster.signal("HUP");
            cluster.awaitStderr(l -> l.contains("rolling restart (SIGHUP) done: 1 workers replaced"), BOOT);
            assertThat(readyGenerations(cluster)).containsEntry(1, 3);
            assertThat(cluster.stderr()).noneMatch(l -> l.contains("generation 4"));
            assertThat(ProcessHandle.of(cluster.pid()).orElseThrow().children().filter(ProcessHandle::isAlive).count())
                    .as("worker processes").isEqualTo(1);
        }
    }

    @Test
    void aWorkerWithOneIoThreadStuckInALoopIsKilledAndReplaced() throws Exception {
        // eight IO threads: the loop holds one of them, and the connections on it, while seven still turn
        // (a heartbeat through a random one of them got through seven times in eight)
        try (ClusterProcess cluster = start(List.of("--workers", "1", "--hang-timeout", "2000"),
                Map.of("TEST_SPIN", "1", "TEST_IO_THREADS", "8"))) {
            int port = cluster.awaitListening(BOOT);
            long pid = pidOf(port);
            Thread spinner = Thread.ofVirtual().start(() -> {
                try {
                    RawHttp.request(port, "GET", "/spin-io", null, 120_000);
                } catch (Exception e) {
                    // the worker is killed under it
                }
            });
            // the 2 s hang timeout, plus room for a loaded runner; a heartbeat through one random IO
            // thread still got through 7 times in 8, and the hang showed only when chance left a 2 s gap
            cluster.awaitStderr(l -> l.contains("worker 1 (pid " + pid + ", generation 1) sent no heartbeat for"), Duration.ofSeconds(15));
            cluster.awaitStderr(l -> l.contains("worker 1 (pid") && l.contains("generation 2) is ready"), BOOT);
            assertThat(pidOf(port)).isNotEqualTo(pid);
            spinner.join(30_000);
        }
    }

    @Test
    void aStoppedWorkerIsKilledAndReplaced() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "1", "--hang-timeout", "2000"), Map.of())) {
            int port = cluster.awaitListening(BOOT);
            long pid = pidOf(port);
            Signal.send(pid, "STOP");
            long stoppedAt = System.nanoTime();
            cluster.awaitStderr(l -> l.contains("worker 1 (pid " + pid + ", generation 1) sent no heartbeat for"), BOOT);
            cluster.awaitStderr(l -> l.contains("generation 2) is ready"), BOOT);
            System.out.printf("OperationsIT: SIGSTOPped worker replaced %d ms after the stop (hang timeout 2000 ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt));
            assertThat(pidOf(port)).isNotEqualTo(pid);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void maxRequestsRecyclesWorkersWithoutAFailedRequest() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "2", "--max-requests", "100"), Map.of())) {
            int port = cluster.awaitListening(BOOT);
            try (Load load = Load.start(port, 4, "/whoami")) {
                cluster.awaitStderr(l -> cluster.stderr().stream().filter(x -> x.contains("is ready and replaces") && x.contains("(served "))
                        .count() >= 2, BOOT);
                load.close();
                assertNoRequestLost(load);
            }
        }
    }

    @Test
    void memoryRecyclingReplacesAWorkerThatGrewPastTheLimit() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "1", "--max-memory", "300", "--worker-jvm-opts", "-Xmx600m"), Map.of())) {
            int port = cluster.awaitListening(BOOT);
            long pid = pidOf(port);
            try (Load load = Load.start(port, 2, "/whoami")) {
                assertThat(RawHttp.request(port, "GET", "/grow?mb=320", null, 60_000).status()).isEqualTo(200);
                cluster.awaitStderr(l -> l.contains("replaces worker 1 (pid " + pid) && l.contains("resident memory"), BOOT);
                // the old worker may accept a request until its drain begins; once it has exited every request meets the new one
                cluster.awaitStderr(l -> l.contains("worker 1 (pid " + pid) && l.contains("after draining"), BOOT);
                load.close();
                assertNoRequestLost(load);
            }
            assertThat(pidOf(port)).isNotEqualTo(pid);
        }
    }

    @Test
    void signalsAndTheCliScaleTheCluster() throws Exception {
        try (ClusterProcess cluster = start(List.of("--workers", "2"), Map.of())) {
            int port = cluster.awaitListening(BOOT);
            try (Load load = Load.start(port, 4, "/whoami")) {
                cluster.signal("TTIN");
                cluster.awaitStderr(l -> l.contains("worker 3 (pid") && l.contains("is ready"), BOOT);
                cluster.signal("TTOU");
                cluster.awaitStderr(l -> l.contains("worker 3 removed; 2 workers now"), BOOT);
                CtlResult up = ctl("scale", "3");
                assertThat(up.code()).as(up.err()).isZero();
                assertThat(up.out()).contains("scaling from 2 to 3 workers");
                cluster.awaitStderr(l -> cluster.stderr().stream().filter(x -> x.contains("worker 3 (pid") && x.contains("is ready"))
                        .count() >= 2, BOOT);
                // the id comes back with the next generation, so its metrics are not taken for the removed worker's
                assertThat(readyGenerations(cluster)).containsEntry(3, 2);
                CtlResult down = ctl("scale", "1");
                assertThat(down.code()).isZero();
                cluster.awaitStderr(l -> l.contains("worker 2 removed; 1 workers now"), BOOT);
                load.close();
                assertNoRequestLost(load);
            }
            assertThat(ctl("scale", "0").code()).isEqualTo(1);
        }
    }

    @Test
    void everyCtlCommandWorksAndTheControlSocketIsPrivate() throws Exception {
        CtlResult none = ctl("status");
        assertThat(none.code()).isEqualTo(4);
        assertThat(none.err()).contains("no running Cadre primary");

        try (ClusterProcess cluster = start(List.of("--workers", "2"), Map.of())) {
            int port = cluster.awaitListening(BOOT);
            Path instance = runtimeDir.resolve("primary-" + cluster.pid());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(instance))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(instance.resolve("control.sock")))).isEqualTo("rw-------");

            for (int i = 0; i < 20; i++) {
                RawHttp.get(port, "/whoami");
            }
            CtlResult status = ctl("status");
            assertThat(status.code()).as(status.err()).isZero();
            assertThat(status.out()).contains("id", "pid", "state", "gen", "uptime", "restarts", "rss", "heap", "requests", "req/s", "queue");
            Set<Long> pids = new HashSet<>();
            for (String line : status.out().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[0].matches("\\d+") && f[2].equals("ready")) {
                    pids.add(Long.parseLong(f[1]));
                }
            }
            assertThat(pids).hasSize(2);
            assertThat(status.out()).contains("crash breaker: closed");

            CtlResult threads = ctl("dump-threads", "1");
            assertThat(threads.code()).as(threads.err()).isZero();
            assertThat(threads.out()).contains("thread dump of worker 1").contains("cadre-heartbeat");
            CtlResult heap = ctl("dump-heap", "2");
            assertThat(heap.code()).as(heap.err()).isZero();
            Path hprof = Path.of(heap.out().substring(heap.out().indexOf(": ") + 2).trim());
            assertThat(hprof).exists();
            assertThat(ctl("dump-threads", "9").out()).contains("there is no running worker 9");
            assertThat(ctl("frobnicate").code()).isEqualTo(1);

            CtlResult reload = ctl("reload");
            assertThat(reload.code()).as(reload.out()).isZero();
            assertThat(reload.out()).contains("rolling restart done: 2 workers replaced");
            // each step as it happened, before the outcome
            assertThat(reload.out().lines().toList()).as(reload.out())
                    .anyMatch(l -> l.startsWith("replacing 2 workers, 1 at a time"))
                    .anyMatch(l -> l.matches("worker 1: worker 1 \\(pid \\d+, generation \\d+\\) ready \\d+ ms after its fork; .* drains"))
                    .anyMatch(l -> l.contains("after draining (1 of 2 replaced)"))
                    .anyMatch(l -> l.contains("after draining (2 of 2 replaced)"));
            assertThat(reload.out().indexOf("(2 of 2 replaced)")).isLessThan(reload.out().indexOf("rolling restart done"));

            CtlResult stop = ctl("stop");
            assertThat(stop.code()).isZero();
            assertThat(cluster.awaitExit(BOOT)).isZero();
        }
    }

    /**
     * No answer but 2xx, and no failed connection, except with {@code tcp_migrate_req=0}: then the
     * kernel resets connections still queued on a listener that closes (docs/operations.md), and
     * only such resets are allowed.
     */
    private static void assertNoRequestLost(Load load) throws java.io.IOException {
        assertThat(load.non2xx()).isEmpty();
        if (migrateRequests()) {
            assertThat(load.errors()).as("connection errors with tcp_migrate_req=1").isEmpty();
        } else {
            assertThat(load.errors()).as("with tcp_migrate_req=0 only resets").allMatch(e -> e.contains("Connection reset")); // "... reset" on a read, "... reset by peer" on a write
        }
    }

    /** Whether the kernel moves connections queued on a closing listener to another one of its group. */
    private static boolean migrateRequests() throws java.io.IOException {
        Path sysctl = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
        return Files.isReadable(sysctl) && Files.readString(sysctl).trim().equals("1");
    }
}
