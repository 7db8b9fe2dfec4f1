package io.cadre.state.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cadre.internal.util.Json;
import io.cadre.state.SharedCache;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.redisson.api.RFuture;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RMap;
import org.redisson.api.RMapCache;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.client.codec.StringCodec;

/**
 * The two {@link SharedCache}s: one on a Redisson {@code RMapCache} (per-entry TTL, in Redis
 * only), one on an {@code RLocalCachedMap} (a local copy per worker, invalidated across workers by
 * Redis pub/sub on every change). The Redisson object is made on first use; every call runs under
 * the connection's deadline.
 */
public final class RedisCaches {
    private static final String WHAT = "the cache";

    private RedisCaches() {
    }

    public static <V> SharedCache<V> shared(Supplier<RedisConnection> redis, String name, Class<V> type, Duration ttl) {
        return new JsonCache<>(redis, type, ttl) {
            @Override
            RMap<String, String> make(RedissonClient client) {
                return client.getMapCache(name, StringCodec.INSTANCE);
            }

            @Override
            RFuture<Boolean> putAsync(RMap<String, String> map, String key, String value, long ttlMillis) {
                return ((RMapCache<String, String>) map).fastPutAsync(key, value, ttlMillis, TimeUnit.MILLISECONDS);
            }
        };
    }

    public static <V> SharedCache<V> near(Supplier<RedisConnection> redis, String name, Class<V> type, Duration ttl, int localEntries) {
        return new JsonCache<>(redis, type, ttl) {
            @Override
            RMap<String, String> make(RedissonClient client) {
                return client.getLocalCachedMap(LocalCachedMapOptions.<String, String>name(name)
                        .codec(StringCodec.INSTANCE)
                        .cacheSize(localEntries)
                        .timeToLive(ttl)
                        .evictionPolicy(LocalCachedMapOptions.EvictionPolicy.LRU)
                        .syncStrategy(LocalCachedMapOptions.SyncStrategy.INVALIDATE)
                        .reconnectionStrategy(LocalCachedMapOptions.ReconnectionStrategy.CLEAR));
            }

            @Override
            RFuture<Boolean> putAsync(RMap<String, String> map, String key, String value, long ttlMillis) {
                // the local copies live the cache's TTL; the entry in Redis lives until replaced or removed
                return map.fastPutAsync(key, value);
            }

            @Override
            public void put(String key, V value, Duration time) {
                if (!ttl.equals(time)) {
                    throw new IllegalArgumentException("near cache '" + name + "' keeps its entries in Redis until they are"
                            + " replaced or removed, and its local copies for " + ttl + "; it cannot keep '" + key + "' for "
                            + time + ". Use CadreState.cache(...) for entries with their own time to live");
                }
                super.put(key, value, time);
            }
        };
    }

    /**
     * {@code ttl} in whole milliseconds, at least 1: Redis keeps time to live in milliseconds, and 0
     * would mean "never expires" to Redisson, so a positive time under 1 ms is rounded up.
     */
    static long ttlMillis(String key, Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("time to live of '" + key + "' must be positive, was " + ttl);
        }
        try {
            return Math.max(1, ttl.toMillis());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("time to live of '" + key + "' is too long: " + ttl, e);
        }
    }

    /** JSON on top of a string map, made once, and every call under the deadline. */
    private abstract static class JsonCache<V> implements SharedCache<V> {
        private final Supplier<RedisConnection> redis;
        private final Class<V> type;
        private final Duration ttl;
        private final ReentrantLock making = new ReentrantLock();
        private volatile RMap<String, String> map;

        JsonCache(Supplier<RedisConnection> redis, Class<V> type, Duration ttl) {
            this.redis = redis;
            this.type = type;
            this.ttl = ttl;
        }

        abstract RMap<String, String> make(RedissonClient client);

        abstract RFuture<Boolean> putAsync(RMap<String, String> map, String key, String value, long ttlMillis);

        private <T> T call(Function<RMap<String, String>, RFuture<T>> operation) {
            return redis.get().call(WHAT, client -> operation.apply(map(client)));
        }

        private RMap<String, String> map(RedissonClient client) {
            RMap<String, String> m = map;
            if (m == null) {
                making.lock();
                try {
                    if (map == null) {
                        map = make(client);
                    }
                    m = map;
                } finally {
                    making.unlock();
                }
            }
            return m;
        }

        @Override
        public Optional<V> get(String key) {
            String raw = call(m -> m.getAsync(key));
            if (raw == null) {
                return Optional.empty();
            }
            try {
                return Optional.ofNullable(Json.MAPPER.readValue(raw, type)); // a JSON null stored by an older version
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cached value of '" + key + "' does not read as " + type.getName(), e);
            }
        }

        @Override
        public void put(String key, V value) {
            put(key, value, ttl);
        }

        @Override
        public void put(String key, V value, Duration time) {
            long millis = ttlMillis(key, time);
            if (value == null) {
                remove(key); // nothing to keep: a later get finds nothing, and loads again
                return;
            }
            String raw;
            try {
                raw = Json.MAPPER.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("value is not serializable as JSON: " + e.getMessage(), e);
            }
            call(m -> putAsync(m, key, raw, millis));
        }

        @Override
        public void remove(String key) {
            call(m -> m.fastRemoveAsync(key));
        }
    }
}
