package io.cadre.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cadre.internal.util.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown and primary death: each test stops its own cluster. */
@Timeout(120)
class LifecycleIT {
    static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path runtimeDir;

    private ClusterProcess start(int workers) throws Exception {
        return ClusterProcess.start(TestApp.class, List.of("--port", "0", "--workers", Integer.toString(workers)),
                Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString()));
    }

    /**
     * How long the drained requests sleep: long enough that they are still in flight when SIGTERM
     * arrives even on a loaded runner (checked, not assumed), well under the 30 s drain timeout.
     */
    static final int SLOW_MS = 10_000;

    @Test
    void sigtermLetsTwentyInFlightRequestsFinishThenEverythingExitsZero() throws Exception {
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try (ClusterProcess cluster = start(2); AutoCloseable stopClients = clients::shutdownNow) {
            int port = cluster.awaitListening(BOOT);
            List<Future<RawHttp.Response>> responses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                responses.add(clients.submit(() -> RawHttp.request(port, "GET", "/sleep?ms=" + SLOW_MS, null, 60_000)));
            }
            awaitInFlight(cluster, 20);
            cluster.signal("TERM");
            // the signal is delivered once signal() returns: every request was still in flight then, so the drain waited for it
            assertThat(responses).as("requests already answered when SIGTERM was sent (the drain would have had nothing to wait for)")
                    .noneMatch(Future::isDone);
            for (Future<RawHttp.Response> r : responses) {
                RawHttp.Response response = r.get(60, TimeUnit.SECONDS);
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("slept " + SLOW_MS);
            }
            assertThat(cluster.awaitExit(BOOT)).as(cluster.output()).isZero();
            assertThat(cluster.awaitNoProcesses(Duration.ofSeconds(10))).isTrue();
            assertThat(cluster.stderr()).anyMatch(l -> l.contains("worker 1") && l.contains("exited with code 0 after draining"));
            assertThat(cluster.stderr()).anyMatch(l -> l.contains("worker 2") && l.contains("exited with code 0 after draining"));
        }
    }

    @Test
    void aKeepAliveConnectionIsClosedAfterItsCurrentResponseWhileDraining() throws Exception {
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try (ClusterProcess cluster = start(1); AutoCloseable stopClients = clients::shutdownNow) {
            int port = cluster.awaitListening(BOOT);
            try (RawHttp.Connection keepAlive = new RawHttp.Connection(port, 60_000)) {
                assertThat(keepAlive.get("/whoami").header("connection")).isEqualToIgnoringCase("keep-alive");
                Future<RawHttp.Response> slow = clients.submit(() -> keepAlive.get("/sleep?ms=" + SLOW_MS));
                awaitInFlight(cluster, 1);
                cluster.signal("TERM");
                assertThat(slow).as("the request was answered before SIGTERM was sent").isNotDone();
                RawHttp.Response last = slow.get(60, TimeUnit.SECONDS);
                assertThat(last.status()).isEqualTo(200);
                assertThat(last.header("connection")).isEqualToIgnoringCase("close");
                assertThat(keepAlive.closedByServer()).isTrue();
            }
            assertThat(cluster.awaitExit(BOOT)).isZero();
        }
    }

    @Test
    void sigintStopsTheClusterLikeSigterm() throws Exception {
        // a shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored in
        // every process below (the JVM cannot take it back): then no primary can receive it
        org.junit.jupiter.api.Assumptions.assumeFalse(ignored(2), "SIGINT is ignored by whatever started this test run");
        try (ClusterProcess cluster = start(1)) {
            cluster.awaitListening(BOOT);
            cluster.signal("INT");
            assertThat(cluster.awaitExit(BOOT)).isZero();
            assertThat(cluster.awaitNoProcesses(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void whenThePrimaryIsKilledEveryWorkerIsGoneAndThePortIsFree() throws Exception {
        try (ClusterProcess cluster = start(2)) {
            int port = cluster.awaitListening(BOOT);
            List<Long> workers = cluster.liveProcesses().stream().filter(pid -> pid != cluster.pid()).toList();
            assertThat(workers).hasSize(2);
            long killedAt = System.nanoTime();
            cluster.signal("KILL");
            cluster.awaitExit(BOOT);
            // the design target is 2 s (a 1.5 s drain, then exit): printed, not asserted, since a loaded 2-core runner
            // leaves too little margin; the bound only catches a worker that does not end at all
            boolean gone = cluster.awaitNoProcesses(Duration.ofSeconds(10));
            long goneAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.printf("LifecycleIT: workers gone %d ms after the primary was killed%n", goneAfterMillis);
            assertThat(gone).as("workers left %s ms after the primary died: %s", goneAfterMillis, cluster.liveProcesses()).isTrue();
            assertThat(SharedPortIT.canBind(port)).isTrue();
        }
    }

    /** Waits until the cluster's workers report {@code n} requests in flight in total. */
    static void awaitInFlight(ClusterProcess cluster, int n) throws Exception {
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (System.nanoTime() < deadline) {
            int total = 0;
            // each health request lands on some worker; ask enough times to see all of them
            Map<Integer, Integer> byWorker = new java.util.HashMap<>();
            for (int i = 0; i < 20; i++) {
                JsonNode h = Json.MAPPER.readTree(RawHttp.get(cluster.port(), "/health/live").body());
                byWorker.put(h.get("worker").asInt(), h.get("inFlight").asInt() - 1);
            }
            for (int v : byWorker.values()) {
                total += v;
            }
            if (total >= n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never saw " + n + " requests in flight\n" + cluster.output());
    }

    /** Whether signal {@code number} is ignored in this process ({@code SigIgn} of /proc/self/status), as its children inherit. */
    static boolean ignored(int number) throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (number - 1))) != 0;
            }
        }
        return false;
    }
}
