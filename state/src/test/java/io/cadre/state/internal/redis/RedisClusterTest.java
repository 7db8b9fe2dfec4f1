package io.cadre.state.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.state.testing.TestRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisClusterTest {
    @AfterEach
    void leavesNoProcessBehind() {
        TestRedis.awaitNoDescendants(Duration.ofSeconds(5));
    }

    @Test
    void threeMastersFormAClusterThatCoversEverySlotAndCloseCleanly() throws Exception {
        RedisCluster cluster = TestRedis.cluster(3);
        List<RedisServer> nodes = cluster.nodes();
        Path dir;
        try {
            assertThat(nodes).hasSize(3);
            assertThat(cluster.nodeUris()).allMatch(u -> u.matches("redis://127\\.0\\.0\\.1:\\d+"));
            assertThat(cluster.password()).matches("[0-9a-f]{64}");
            dir = nodes.get(0).dir();
            for (RedisServer node : nodes) {
                assertThat(node.password()).isEqualTo(cluster.password());
                Map<String, String> info = RedisCluster.info(node);
                assertThat(info).containsEntry("cluster_state", "ok").containsEntry("cluster_slots_assigned", "16384")
                        .containsEntry("cluster_slots_ok", "16384").containsEntry("cluster_known_nodes", "3")
                        .containsEntry("cluster_size", "3");
                assertThat(dir.resolve("nodes-" + node.port() + ".conf")).exists();
            }
            assertThat(coveredSlots(nodes.get(1))).isEqualTo(RedisCluster.SLOTS);

            List<String> answers = new ArrayList<>();
            for (RedisServer node : nodes) {
                try (Resp resp = node.connect(1_000)) {
                    answers.add(String.valueOf(resp.call("SET", "some-key", "v")));
                } catch (Resp.ErrorReply e) {
                    answers.add(e.code());
                }
            }
            assertThat(answers).as("exactly one node owns the key's slot").containsExactlyInAnyOrder("OK", "MOVED", "MOVED");
        } finally {
            cluster.close();
        }
        for (RedisServer node : nodes) {
            assertThat(Posix.running(node.pid())).isFalse();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void aRestartedNodeRejoinsItsCluster() throws Exception {
        try (RedisCluster cluster = TestRedis.cluster(3)) {
            RedisServer node = cluster.nodes().get(2);
            node.kill();
            node.restart();
            cluster.awaitOk(10_000);
            assertThat(RedisCluster.info(node)).containsEntry("cluster_state", "ok").containsEntry("cluster_known_nodes", "3");
        }
    }

    private static int coveredSlots(RedisServer node) throws Exception {
        try (Resp resp = node.connect(1_000)) {
            int covered = 0;
            for (Object range : (List<?>) resp.call("CLUSTER", "SLOTS")) {
                List<?> r = (List<?>) range;
                covered += (int) ((Long) r.get(1) - (Long) r.get(0) + 1);
            }
            return covered;
        }
    }
}
