package io.cadre.state;

import io.cadre.Request;
import java.util.Optional;

/**
 * A user's session, shared by every worker and host through Redis. A route gets it by declaring a
 * {@code Session} parameter, or with {@link #of(Request)}. It is lazy: a request that never calls
 * a method of its session never talks to Redis.
 *
 * <p>Attributes are stored one per hash field and only changed ones are written, when the route
 * has answered; so two concurrent requests that change different attributes both keep their
 * change. {@link #increment} is atomic across workers at once. Values are written as JSON.
 *
 * <p>Ids are 128 bits from {@code SecureRandom}; only ids this server issued are accepted: an
 * unknown or expired id starts a new session under a new id, it is never adopted. A new session is
 * stored, and its cookie sent, only once the request writes to it ({@link #put}, {@link #increment});
 * a request that only reads gets empty answers, leaves nothing in Redis, and gets no cookie. Not thread-safe:
 * it belongs to one request. A Redis failure surfaces as a 503 answer.
 */
public interface Session {
    /** The session's id (what the cookie carries). */
    String id();

    /** Whether this request started the session. */
    boolean isNew();

    /** Attribute {@code name} as {@code type}, or empty. */
    <T> Optional<T> get(String name, Class<T> type);

    /** Attribute {@code name} as text (the JSON text of non-string values), or empty. */
    Optional<String> get(String name);

    /**
     * Sets attribute {@code name} (any Jackson-serializable value); written when the route has
     * answered. A {@code null} value removes the attribute, as {@link #remove} does.
     */
    void put(String name, Object value);

    /** Removes attribute {@code name}; written when the route has answered. */
    void remove(String name);

    /**
     * Adds {@code delta} to the counter attribute {@code name} at once, atomically; returns the new
     * value. Fails with {@link IllegalStateException} when this request already {@link #put} or
     * {@link #remove}d {@code name} (those are written after the route answers, the increment now).
     */
    long increment(String name, long delta);

    /**
     * Gives the session a new id, keeping its attributes; the old id stops working at once. Call
     * it when the user logs in (session fixation).
     */
    void regenerate();

    /** Deletes the session; the response removes the cookie. */
    void invalidate();

    /** The session of {@code request}; fails when the app registered no sessions. */
    static Session of(Request request) {
        Object session = request.attribute(Session.class.getName());
        if (session == null) {
            throw new IllegalStateException("no session: register CadreState with sessions(...)");
        }
        return (Session) session;
    }
}
