package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cadre.internal.util.Json;
import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import io.cadre.it.Signal;
import io.cadre.it.TestApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An AOT cache that the workers' JVM cannot use (here a damaged file whose fingerprint matches, as
 * a cache trained under other JVM options would be): the cluster starts anyway, the primary says
 * once why, and later workers start without the cache. JDK 25+ only.
 */
@Timeout(180)
class AotCacheRefusalIT {
    private static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Path cache;

    @BeforeEach
    void damagedCache() throws IOException {
        assumeTrue(Runtime.version().feature() >= 25, "AOT caches need JDK 25");
        cache = dir.resolve("app.aot");
        byte[] junk = new byte[64 * 1024];
        new Random(7).nextBytes(junk);
        Files.write(cache, junk);
        AotFingerprint.of(System.getProperty("java.class.path")).writeFor(cache);
    }

    @Test
    void aCacheTheJvmSkipsIsDroppedForLaterWorkersWithOneWarning() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(TestApp.class, List.of("--port", "0", "--workers", "2"),
                Map.of("CADRE_RUNTIME_DIR", dir.toString(), "CADRE_AOT_CACHE", cache.toString()))) {
            int port = cluster.awaitListening(BOOT);
            cluster.awaitStderr(l -> l.contains("could not use the AOT cache " + cache), BOOT);
            Set<Long> first = workers(cluster, port, 2);
            long victim = first.iterator().next();
            assertThat(commandLine(victim)).contains("-XX:AOTCache=" + cache); // the first ones ran without it anyway

            Signal.send(victim, "KILL");
            long replacement = awaitNewWorker(cluster, first);
            assertThat(commandLine(replacement)).doesNotContain("-XX:AOTCache");
            assertThat(cluster.stderr()).filteredOn(l -> l.contains("could not use the AOT cache")).hasSize(1);
        }
    }

    @Test
    void aWorkerWhoseJvmWillNotStartWithTheCacheIsForkedAgainWithoutItAndIsNoCrash() throws Exception {
        // -XX:AOTMode=on makes the JVM exit when it cannot use the cache, as a heap too small for
        // the cache's archived objects does; a breaker of one crash shows that none was counted
        try (ClusterProcess cluster = ClusterProcess.start(TestApp.class,
                List.of("--port", "0", "--workers", "2", "--worker-jvm-opts", "-XX:AOTMode=on"),
                Map.of("CADRE_RUNTIME_DIR", dir.toString(), "CADRE_AOT_CACHE", cache.toString(), "TEST_BREAKER", "1,60000"))) {
            int port = cluster.awaitListening(BOOT);
            assertThat(cluster.stdout()).contains("cadre listening on http://0.0.0.0:" + port + " (2 workers)");
            for (long pid : workers(cluster, port, 2)) {
                assertThat(commandLine(pid)).doesNotContain("-XX:AOTCache");
            }
            assertThat(cluster.stderr()).filteredOn(l -> l.contains("could not use the AOT cache")).hasSize(1);
            assertThat(cluster.stderr()).anyMatch(l -> l.contains("because it refused the AOT cache; forking it again without the cache"));
            assertThat(cluster.stderr()).noneMatch(l -> l.contains("crash breaker open") || l.contains("restarting worker"));
            assertThat(RawHttp.get(port, "/health/ready").status()).isEqualTo(200);
        }
    }

    private static JsonNode whoami(int port) throws IOException {
        return Json.MAPPER.readTree(RawHttp.get(port, "/whoami").body());
    }

    private static String commandLine(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    /** The pids of the workers that serve {@code port} (asks until it has seen {@code count}, within {@link #BOOT}). */
    private static Set<Long> workers(ClusterProcess cluster, int port, int count) throws IOException {
        Set<Long> pids = new HashSet<>();
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (pids.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only workers " + pids + " answered /whoami within " + BOOT + "\n" + cluster.output());
            }
            pids.add(whoami(port).get("pid").asLong());
        }
        return pids;
    }

    /** The pid of a worker not among {@code before}, once one serves. */
    private static long awaitNewWorker(ClusterProcess cluster, Set<Long> before) throws InterruptedException {
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                long pid = whoami(cluster.port()).get("pid").asLong();
                if (!before.contains(pid)) {
                    return pid;
                }
            } catch (IOException e) {
                // a connection the killed worker had accepted
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no new worker served within " + BOOT + "\n" + cluster.output());
    }
}
