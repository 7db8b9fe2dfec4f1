package io.cadre.state;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A cache every worker and host sees the same way: entries live in Redis with a time to live.
 * {@link CadreState#cache} makes one kept only in Redis; {@link CadreState#nearCache} one that also
 * keeps a local copy in each worker, dropped on every worker when any of them changes the entry
 * (for read-mostly data). Values are written as JSON. A Redis failure is a 503 for the request.
 * Thread-safe.
 *
 * @param <V> the value type
 */
public interface SharedCache<V> {
    Optional<V> get(String key);

    /** Stores {@code value} under {@code key} for the cache's time to live. */
    void put(String key, V value);

    /** Stores {@code value} under {@code key} for {@code ttl}. */
    void put(String key, V value, Duration ttl);

    void remove(String key);

    /** The cached value, or {@code loader}'s, which is then cached (two workers may both load it). */
    default V getOrLoad(String key, Supplier<V> loader) {
        return get(key).orElseGet(() -> {
            V value = loader.get();
            put(key, value);
            return value;
        });
    }
}
