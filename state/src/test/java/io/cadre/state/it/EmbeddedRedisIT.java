package io.cadre.state.it;

import static io.cadre.state.it.StateClient.BOOT;
import static io.cadre.state.it.StateClient.json;
import static io.cadre.state.it.StateClient.sid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import io.cadre.state.internal.redis.Resp;
import io.cadre.state.testing.Await;
import io.cadre.state.testing.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-setup default: with no Redis configured the primary runs a redis-server on loopback
 * with a random password, names it in the startup line, and never leaves it behind, not even when
 * the primary is killed with SIGKILL. Bad Redis options are refused with one clear line.
 */
class EmbeddedRedisIT {
    static final Pattern EMBEDDED = Pattern.compile("; state: embedded redis-server (\\S+) on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void theEmbeddedRedisServesTheWorkersAndDiesWithAKilledPrimary() throws Exception {
        TestRedis.binary(); // the test JVM's copy; the primary extracts its own into its runtime directory
        try (ClusterProcess cluster = ClusterProcess.start(StateTestApp.class, List.of("--port", "0", "--workers", "2"),
                Map.of("CADRE_RUNTIME_DIR", dir.toString()))) {
            int port = cluster.awaitListening(BOOT);
            String line = cluster.find(cluster.stdout(), EMBEDDED.asPredicate()).orElseThrow(() -> new AssertionError(cluster.output()));
            Matcher m = EMBEDDED.matcher(line);
            assertThat(m.find()).isTrue();
            int redisPort = Integer.parseInt(m.group(2));

            String id = sid(RawHttp.get(port, "/count"));
            assertThat(json(StateIT.send(port, "GET", "/count", id)).get("count").asLong()).isEqualTo(2);

            // loopback only, and a password: a local user without it gets nothing
            try (Resp anonymous = Resp.connect("127.0.0.1", redisPort, 5_000)) {
                assertThatThrownBy(() -> anonymous.call("GET", "x")).hasMessageContaining("NOAUTH");
            }
            List<ProcessHandle> redis = redisServers(cluster);
            assertThat(redis).as("the embedded redis-server under the primary").hasSize(1);
            assertThat(redis.get(0).info().commandLine().orElse("")).doesNotContain("requirepass");

            cluster.signal("KILL");
            Await.until(Duration.ofSeconds(5), () -> !redis.get(0).isAlive(), () -> "redis-server outlived its primary by 5 s\n"
                    + cluster.output());
            assertThat(cluster.awaitNoProcesses(Duration.ofSeconds(10))).as("workers and redis gone").isTrue();
        }
    }

    @Test
    void aGracefulStopStopsTheEmbeddedRedis() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(StateTestApp.class, List.of("--port", "0", "--workers", "1"),
                Map.of("CADRE_RUNTIME_DIR", dir.toString()))) {
            int port = cluster.awaitListening(BOOT);
            assertThat(RawHttp.get(port, "/count").status()).isEqualTo(200);
            List<ProcessHandle> redis = redisServers(cluster);
            assertThat(redis).hasSize(1);
            cluster.signal("TERM");
            assertThat(cluster.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(redis.get(0).isAlive()).as("redis-server left after the primary exited").isFalse();
            assertThat(cluster.awaitNoProcesses(Duration.ofSeconds(5))).isTrue();
        }
    }

    /** The redis-server processes under the (live) primary. */
    static List<ProcessHandle> redisServers(ClusterProcess cluster) {
        return cluster.process().toHandle().descendants()
                .filter(p -> Path.of(p.info().command().orElse("/-")).getFileName().toString().startsWith("redis-server")).toList();
    }

    @Test
    void badRedisOptionsAreRefusedWithOneClearLine() throws Exception {
        Path notYaml = dir.resolve("redis.yaml");
        Files.writeString(notYaml, "clusterServersConfig:\n  password: \"s3cret\"\n  nodeAdresses: [\"redis://127.0.0.1:1\"]\n");
        Map<List<String>, String> cases = Map.of(
                List.of("--redis", "http://localhost:6379"), "--redis must be a redis:// or rediss:// URL",
                List.of("--redis", "redis://user:s3cret@localhost:6379"), "must not carry a password",
                List.of("--redis-config", dir.resolve("missing.yaml").toString()), "is not a readable file",
                List.of("--redis-config", notYaml.toString()), "is not a Redisson YAML configuration",
                List.of("--redis", "redis://localhost", "--redis-config", notYaml.toString()), "give --redis or --redis-config, not both");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> args = new java.util.ArrayList<>(List.of("--port", "0", "--workers", "1"));
            args.addAll(c.getKey());
            try (ClusterProcess cluster = ClusterProcess.start(StateTestApp.class, args, Map.of("CADRE_RUNTIME_DIR", dir.toString()))) {
                assertThat(cluster.awaitExit(BOOT)).as(c.getKey().toString()).isEqualTo(2);
                String err = String.join("\n", cluster.stderr());
                assertThat(err).as(c.getKey().toString()).contains(c.getValue()).doesNotContain("s3cret").doesNotContain("\tat ");
                assertThat(cluster.stdout()).noneMatch(l -> l.contains("cadre listening"));
            }
        }
    }
}
