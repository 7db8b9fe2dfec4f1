package io.cadre.state;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A cache every worker and host sees the same way. {@link CadreState#cache} makes one kept only in
 * Redis, each entry with a time to live; {@link CadreState#nearCache} one that also keeps a local
 * copy in each worker (for the cache's time to live), dropped on every worker when any of them
 * changes the entry, for bounded, read-mostly data: its entries stay in Redis until replaced or
 * removed. Values are written as JSON. A Redis failure is a 503 for the request. Thread-safe.
 *
 * @param <V> the value type
 */
public interface SharedCache<V> {
    Optional<V> get(String key);

    /** Stores {@code value} under {@code key} for the cache's time to live; a {@code null} value removes the key. */
    void put(String key, V value);

    /**
     * Stores {@code value} under {@code key} for {@code ttl}. A near cache has no per-entry expiry in
     * Redis, so it refuses a {@code ttl} other than its own ({@link IllegalArgumentException}).
     */
    void put(String key, V value, Duration ttl);

    void remove(String key);

    /**
     * The cached value, or {@code loader}'s, which is then cached (two workers may both load it); a
     * {@code null} from the loader is returned and not cached.
     */
    default V getOrLoad(String key, Supplier<V> loader) {
        return get(key).orElseGet(() -> {
            V value = loader.get();
            if (value != null) {
                put(key, value);
            }
            return value;
        });
    }
}
