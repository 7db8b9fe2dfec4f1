package io.cadre.state.it;

import static io.cadre.state.it.StateClient.BOOT;
import static io.cadre.state.it.StateClient.cookie;
import static io.cadre.state.it.StateClient.json;
import static io.cadre.state.it.StateClient.sid;
import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import io.cadre.state.internal.redis.RedisCluster;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.testing.Await;
import io.cadre.state.testing.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same state code against the topologies users run in production: two Cadre clusters (as on
 * two hosts) sharing one Redis, and a Redis Cluster of three masters through a Redisson YAML file.
 */
class SharedRedisIT {
    @TempDir
    Path dir;

    @Test
    void twoCadreClustersSharingOneRedisShareSessionsLimitsLocksAndCaches() throws Exception {
        try (RedisServer redis = TestRedis.server();
                ClusterProcess a = StateClient.start(1, redis, StateIT.RELAXED);
                ClusterProcess b = StateClient.start(1, redis, StateIT.RELAXED)) {
            int portA = a.awaitListening(BOOT);
            int portB = b.awaitListening(BOOT);
            exerciseState(List.of(portA, portB), 200);

            // a near cache: B keeps a local copy, A changes the entry, B sees the change
            assertThat(StateIT.send(portA, "POST", "/cache?key=k&value=one", null).status()).isEqualTo(200);
            JsonReader.await(portB, "/cache?key=k", "near", "one");
            assertThat(StateIT.send(portA, "POST", "/cache?key=k&value=two", null).status()).isEqualTo(200);
            JsonReader.await(portB, "/cache?key=k", "near", "two");
            JsonReader.await(portB, "/cache?key=k", "shared", "two");
        }
    }

    @Test
    void sessionsLimitsAndLocksWorkOnARedisClusterOfThreeMasters() throws Exception {
        try (RedisCluster redis = TestRedis.cluster(3)) {
            Path yaml = dir.resolve("redis-cluster.yaml");
            StringBuilder text = new StringBuilder("clusterServersConfig:\n  password: \"" + redis.password() + "\"\n  nodeAddresses:\n");
            for (String uri : redis.nodeUris()) {
                text.append("  - \"").append(uri).append("\"\n");
            }
            Files.writeString(yaml, text);
            Files.setPosixFilePermissions(yaml, PosixFilePermissions.fromString("rw-------"));
            try (ClusterProcess cluster = ClusterProcess.start(StateTestApp.class,
                    List.of("--port", "0", "--workers", "2", "--redis-config", yaml.toString()), StateIT.RELAXED)) {
                int port = cluster.awaitListening(BOOT);
                assertThat(cluster.stdout()).anyMatch(l -> l.contains("; state: redis config " + yaml));
                assertThat(cluster.output()).doesNotContain(redis.password());
                exerciseState(List.of(port, port), 500);
            }
        }
    }

    /**
     * Alternates between {@code ports} (two clusters, or one cluster twice): one session, a login
     * that rotates it, a rate limit of 100 hit 120 times, and {@code increments} locked increments
     * from each side at once.
     */
    static void exerciseState(List<Integer> ports, int increments) throws Exception {
        String id = sid(RawHttp.get(ports.get(0), "/count"));
        for (int i = 2; i <= 20; i++) {
            RawHttp.Response r = StateIT.send(ports.get(i % 2), "GET", "/count", id);
            assertThat(json(r).get("count").asLong()).isEqualTo(i);
        }
        String loggedIn = sid(StateIT.send(ports.get(1), "POST", "/login?user=bob", id));
        assertThat(loggedIn).isNotEqualTo(id);
        assertThat(json(StateIT.send(ports.get(0), "GET", "/me", loggedIn)).get("user").asText()).isEqualTo("bob");
        assertThat(json(StateIT.send(ports.get(0), "GET", "/me", id)).get("user").asText()).isEmpty();
        assertThat(json(StateIT.send(ports.get(1), "GET", "/count", loggedIn)).get("count").asLong()).isEqualTo(21);

        int passed = 0;
        for (int i = 0; i < 120; i++) {
            int status = StateIT.once(ports.get(i % 2), "GET", "/limited", Map.of("X-Client", "shared")).status();
            assertThat(status).isIn(200, 429);
            passed += status == 200 ? 1 : 0;
        }
        assertThat(passed).isEqualTo(100);

        try (ExecutorService clients = Executors.newFixedThreadPool(2)) {
            List<Future<Integer>> done = new ArrayList<>();
            for (int port : ports) {
                done.add(clients.submit(() -> StateIT.once(port, "GET", "/lock-count?n=" + increments + "&threads=2", Map.of()).status()));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(150, TimeUnit.SECONDS)).isEqualTo(200); // a bound only a hang reaches
            }
        }
        assertThat(json(RawHttp.get(ports.get(0), "/lock-value")).get("value").asLong()).isEqualTo(2L * increments);
        long first = json(RawHttp.get(ports.get(0), "/fenced")).get("token").asLong();
        long second = json(RawHttp.get(ports.get(1), "/fenced")).get("token").asLong();
        assertThat(second).isGreaterThan(first);
        assertThat(StateIT.send(ports.get(0), "GET", "/count", loggedIn).header("Set-Cookie")).isNull();
        assertThat(cookie(loggedIn)).isNotEmpty();
    }

    /** Polls a JSON field until it has the expected value (a near cache is invalidated asynchronously). */
    static final class JsonReader {
        static void await(int port, String path, String field, String expected) {
            Await.until(Duration.ofSeconds(10), () -> {
                try {
                    return json(RawHttp.get(port, path)).get(field).asText().equals(expected);
                } catch (Exception e) {
                    return false;
                }
            }, path + " ." + field + " = " + expected);
        }
    }
}
