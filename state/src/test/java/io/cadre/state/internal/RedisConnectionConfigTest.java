package io.cadre.state.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.config.Config;

class RedisConnectionConfigTest {
    @TempDir
    Path dir;

    @Test
    void aWorkerGetsOneEventLoopAndTimeoutsThatFitTheDeadline() throws Exception {
        Config config = new RedisConnection(RedisTarget.fromUrl("redis://127.0.0.1:6379", java.util.Map.of()), 1000).config();
        assertThat(config.getNettyThreads()).isEqualTo(1);
        assertThat(config.getThreads()).isEqualTo(2);
        assertThat(config.useSingleServer().getTimeout() * 2 + config.useSingleServer().getRetryInterval()).isLessThanOrEqualTo(1000);
    }

    @Test
    void threadCountsAYamlFileSetsAreKept() throws Exception {
        Path yaml = dir.resolve("redis.yaml");
        Files.writeString(yaml, "singleServerConfig:\n  address: \"redis://127.0.0.1:6379\"\nthreads: 4\nnettyThreads: 3\n");
        Config config = new RedisConnection(RedisTarget.fromConfigFile(yaml.toString()), 1000).config();
        assertThat(config.getNettyThreads()).isEqualTo(3);
        assertThat(config.getThreads()).isEqualTo(4);

        Files.writeString(yaml, "singleServerConfig:\n  address: \"redis://127.0.0.1:6379\"\n");
        Config plain = new RedisConnection(RedisTarget.fromConfigFile(yaml.toString()), 1000).config();
        assertThat(plain.getNettyThreads()).isEqualTo(1);
        assertThat(plain.getThreads()).isEqualTo(2);
    }

    @Test
    void aRedisUrlWithPartsCadreWouldIgnoreOrABadPortIsRefusedAndTheUserIsDecoded() {
        for (String bad : new String[] {"redis://h:6379/3", "redis://h/0?ssl=true", "redis://h#x"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RedisTarget.fromUrl(bad, java.util.Map.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path, query or fragment");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RedisTarget.fromUrl("redis://h:99999", java.util.Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port must be 1..65535");
        assertThat(RedisTarget.fromUrl("redis://h:6380/", java.util.Map.of()).url()).isEqualTo("redis://h:6380");
        assertThat(RedisTarget.fromUrl("redis://app%40corp@h", java.util.Map.of()).username()).isEqualTo("app@corp");
    }
}
