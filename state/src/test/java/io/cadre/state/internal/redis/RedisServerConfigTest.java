package io.cadre.state.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedisServerConfigTest {
    @Test
    void theDefaultsAreLoopbackARandomPasswordAndAGuardByThisProcess() {
        RedisServerConfig config = RedisServerConfig.defaults();
        assertThat(config.bindHost()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isZero();
        assertThat(config.password()).isEmpty();
        assertThat(config.dir()).isEmpty();
        assertThat(config.startTimeoutMillis()).isEqualTo(10_000);
        assertThat(config.stopTimeoutMillis()).isEqualTo(2_000);
        assertThat(config.guardParentPid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(config.clusterEnabled()).isFalse();
        assertThat(config.extraArgs()).isEmpty();
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void badValuesAreRefusedWithTheFieldName() {
        assertThatThrownBy(() -> RedisServerConfig.builder().port(70000).build()).hasMessageContaining("port");
        assertThatThrownBy(() -> RedisServerConfig.builder().bindHost(" ").build()).hasMessageContaining("bindHost");
        assertThatThrownBy(() -> RedisServerConfig.builder().password("has space").build()).hasMessageContaining("password");
        assertThatThrownBy(() -> RedisServerConfig.builder().password("quo\"te").build()).hasMessageContaining("password");
        assertThatThrownBy(() -> RedisServerConfig.builder().password("").build()).hasMessageContaining("password");
        assertThatThrownBy(() -> RedisServerConfig.builder().startTimeoutMillis(0).build()).hasMessageContaining("startTimeoutMillis");
        assertThatThrownBy(() -> RedisServerConfig.builder().stopTimeoutMillis(0).build()).hasMessageContaining("stopTimeoutMillis");
        assertThatThrownBy(() -> RedisServerConfig.builder().guardedBy(-1).build()).hasMessageContaining("guardParentPid");
        assertThatThrownBy(() -> RedisServerConfig.builder().clusterEnabled(true).port(60000).build()).hasMessageContaining("55535");
        assertThatThrownBy(() -> new RedisClusterConfig(0, 1, RedisServerConfig.defaults())).hasMessageContaining("masters");
        assertThatThrownBy(() -> new RedisClusterConfig(3, 1, RedisServerConfig.builder().port(7000).build()))
                .hasMessageContaining("node.port");
    }

    @Test
    void theExtraArgsAreCopiedAndThePasswordNeverPrinted() {
        List<String> args = new java.util.ArrayList<>(List.of("--maxmemory", "64mb"));
        RedisServerConfig config = RedisServerConfig.builder().password("top-secret").extraArgs(args).build();
        args.clear();
        assertThat(config.extraArgs()).containsExactly("--maxmemory", "64mb");
        assertThat(config.toString()).doesNotContain("top-secret").contains("password=(set)");
    }

    @Test
    void aClusterNodeIsAlwaysClusterEnabled() {
        assertThat(RedisClusterConfig.defaults().node().clusterEnabled()).isTrue();
        assertThat(RedisClusterConfig.defaults().masters()).isEqualTo(3);
    }

    @Test
    void theCommandLineCarriesTheSafetyFlagsAndNoSecret() {
        RedisBinary binary = new RedisBinary(java.nio.file.Path.of("/x/redis-server"), "7.0.15", RedisBinary.Source.EXPLICIT);
        RedisServerConfig config = RedisServerConfig.builder().password("top-secret").clusterEnabled(true)
                .extraArgs(List.of("--maxmemory", "64mb")).build();
        List<String> cmd = RedisProcess.command(binary, config, java.nio.file.Path.of("/d"), 7001);
        assertThat(String.join(" ", cmd)).startsWith("/x/redis-server - --bind 127.0.0.1 --port 7001 --protected-mode yes --save  "
                + "--appendonly no --dir /d --daemonize no --loglevel warning --cluster-enabled yes --cluster-config-file nodes-7001.conf")
                .endsWith("--maxmemory 64mb")
                .doesNotContain("top-secret");
    }
}
