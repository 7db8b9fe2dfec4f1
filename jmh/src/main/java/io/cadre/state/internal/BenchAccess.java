package io.cadre.state.internal;

import java.util.Map;

/**
 * For {@code io.cadre.jmh.StateBenchmark} only: drives the package-private session code
 * ({@link RedisSession} over {@link SessionStore}) exactly as {@link SessionFilter} does for one
 * request, without an HTTP server around it. Lives in the benchmarks jar, in the state module's
 * package (a split package on the class path), so that the state module opens nothing for it.
 */
public final class BenchAccess {
    private BenchAccess() {
    }

    /** Creates a session holding {@code attributes} (written in one save); returns its id. */
    public static String createSession(SessionStore store, Map<String, Object> attributes) {
        RedisSession session = new RedisSession(store, null);
        attributes.forEach(session::put);
        session.commit();
        return session.id();
    }

    /**
     * One request that reads attribute {@code read} and changes attribute {@code write} of session
     * {@code id}: the session's meta is loaded (HMGET), the attribute read (HGET), the change saved
     * with the refreshed expiry (one EVAL). Three round trips, as a route doing this costs.
     *
     * @return the attribute read
     * @throws IllegalStateException when the session is not there (the benchmark would measure
     *     the creation of new sessions instead)
     */
    public static String loadGetSave(SessionStore store, String id, String read, String write, Object value) {
        RedisSession session = new RedisSession(store, id);
        String got = session.get(read).orElse(null);
        session.put(write, value);
        session.commit();
        requireFound(session, id);
        return got;
    }

    /**
     * One request that counts in session {@code id}, like a visit counter: load (HMGET), the atomic
     * increment (one EVAL), the save that refreshes the expiry (one EVAL).
     *
     * @return the counter's new value
     */
    public static long loadIncrementSave(SessionStore store, String id, String counter) {
        RedisSession session = new RedisSession(store, id);
        long value = session.increment(counter, 1);
        session.commit();
        requireFound(session, id);
        return value;
    }

    private static void requireFound(RedisSession session, String id) {
        if (session.idChanged()) {
            throw new IllegalStateException("session " + id + " was not found in Redis; a new one was made instead");
        }
    }
}
