package io.cadre.state.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.state.CadreState;
import io.cadre.state.SharedCache;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisCachesTest {
    @Test
    void aNearCacheRefusesAnEntryTimeToLiveItCannotKeepBeforeItTalksToRedis() {
        SharedCache<String> near = RedisCaches.near(() -> {
            throw new AssertionError("no Redis call for a refused put");
        }, "settings", String.class, Duration.ofMinutes(1), 10);
        assertThatThrownBy(() -> near.put("k", "v", Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("near cache 'settings'")
                .hasMessageContaining("CadreState.cache(...)");
    }

    @Test
    void anEntryTimeToLiveUnderOneMillisecondIsRoundedUpNotTurnedIntoNoExpiry() {
        assertThat(RedisCaches.ttlMillis("k", Duration.ofNanos(1))).isEqualTo(1);
        assertThat(RedisCaches.ttlMillis("k", Duration.ofNanos(999_999))).isEqualTo(1);
        assertThat(RedisCaches.ttlMillis("k", Duration.ofMillis(1500))).isEqualTo(1500);
    }

    @Test
    void aSharedCacheRefusesAMissingZeroNegativeOrOverlongTimeToLiveBeforeItTalksToRedis() {
        SharedCache<String> cache = RedisCaches.shared(() -> {
            throw new AssertionError("no Redis call for a refused put");
        }, "users", String.class, Duration.ofMinutes(1));
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofSeconds(-1)}) {
            assertThatThrownBy(() -> cache.put("k", "v", bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("time to live of 'k' must be positive");
        }
        assertThatThrownBy(() -> cache.put("k", "v", Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }

    @Test
    void aNearCacheRefusesAMissingTimeToLiveWithTheSameClearError() {
        SharedCache<String> near = RedisCaches.near(() -> {
            throw new AssertionError("no Redis call for a refused put");
        }, "settings", String.class, Duration.ofMinutes(1), 10);
        assertThatThrownBy(() -> near.put("k", "v", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("near cache 'settings'");
    }

    @Test
    void aCacheWhoseTimeToLiveRedisCannotKeepIsRefusedWhenItIsMade() {
        CadreState state = CadreState.builder().build();
        assertThatThrownBy(() -> state.cache("c", String.class, Duration.ofNanos(500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl must be at least 1 ms");
        assertThatThrownBy(() -> state.nearCache("n", String.class, Duration.ZERO, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl must be at least 1 ms");
    }

    @Test
    void aNullValueIsNeverCachedAndAStoredJsonNullReadsAsAMiss() throws Exception {
        try (io.cadre.state.internal.redis.RedisServer redis = io.cadre.state.testing.TestRedis.server()) {
            RedisConnection connection = new RedisConnection(new RedisTarget(redis.uri(), null, redis.password(), null), 1_000);
            try {
                SharedCache<Long> cache = RedisCaches.shared(() -> connection, "t:cache:prices", Long.class, Duration.ofMinutes(1));
                assertThat(cache.getOrLoad("sku-1", () -> null)).isNull();
                assertThat(cache.get("sku-1")).as("the loader's null was not cached").isEmpty();
                cache.put("sku-2", 7L);
                cache.put("sku-2", null);
                assertThat(cache.get("sku-2")).as("put of null removes").isEmpty();
                connection.call("test", c -> c.<String, String>getMapCache("t:cache:prices", org.redisson.client.codec.StringCodec.INSTANCE)
                        .fastPutAsync("sku-3", "null"));
                assertThat(cache.get("sku-3")).as("a JSON null stored earlier reads as a miss, not a 500").isEmpty();
                assertThat(cache.getOrLoad("sku-3", () -> 9L)).isEqualTo(9L);
            } finally {
                connection.close();
            }
        }
    }

    @Test
    void aNullKeyIsTheCallersMistakeNotARedisOutage() {
        // nothing listens on port 1: a key mistake must be reported before any Redis call, not as "unavailable" (503)
        RedisConnection connection = new RedisConnection(RedisTarget.fromUrl("redis://127.0.0.1:1", java.util.Map.of()), 500);
        try {
            SharedCache<String> cache = RedisCaches.shared(() -> connection, "t:cache:k", String.class, Duration.ofMinutes(1));
            assertThatThrownBy(() -> cache.get(null)).isInstanceOf(IllegalStateException.class)
                    .isNotInstanceOf(io.cadre.HttpException.class).hasMessageContaining("the cache failed");
        } finally {
            connection.close();
        }
    }

    @Test
    void aKeyHoldingAnotherTypeIsAnErrorNotARedisOutage() throws Exception {
        try (io.cadre.state.internal.redis.RedisServer redis = io.cadre.state.testing.TestRedis.server()) {
            RedisConnection connection = new RedisConnection(new RedisTarget(redis.uri(), null, redis.password(), null), 1_000);
            try {
                connection.call("test", c -> c.<String>getBucket("t:cache:taken", org.redisson.client.codec.StringCodec.INSTANCE)
                        .setAsync("a plain string someone else wrote"));
                SharedCache<String> cache = RedisCaches.shared(() -> connection, "t:cache:taken", String.class, Duration.ofMinutes(1));
                assertThatThrownBy(() -> cache.get("k")).isInstanceOf(IllegalStateException.class)
                        .isNotInstanceOf(io.cadre.HttpException.class).hasMessageContaining("WRONGTYPE");
            } finally {
                connection.close();
            }
        }
    }
}
