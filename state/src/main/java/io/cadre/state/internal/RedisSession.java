package io.cadre.state.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cadre.internal.util.Json;
import io.cadre.state.Session;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One request's view of a session: nothing happens until a method is called; then the session is
 * loaded (or created under a new id when the cookie's id is unknown or expired), attributes are
 * read per field as asked, changes are kept here and written by {@link #commit()} when the route
 * has answered. Confined to the request's thread.
 */
final class RedisSession implements Session {
    private final SessionStore store;
    private final String cookieId;
    private String id;
    private long created = -1;
    private boolean fresh;
    private boolean loaded;
    private boolean touched;
    private boolean invalidated;
    private boolean idChanged;
    private String rotateFrom; // the id to move away from at commit, after regenerate()
    private boolean refreshed; // an increment wrote the session and renewed its expiry
    private boolean started; // this request started the session (fresh also ends once it is stored)
    private boolean discarded; // a new session nobody wrote to: not stored, no cookie
    private final Map<String, String> cache = new HashMap<>();
    private final Map<String, String> puts = new HashMap<>();
    private final Set<String> removals = new HashSet<>();

    RedisSession(SessionStore store, String cookieId) {
        this.store = store;
        this.cookieId = SessionIds.wellFormed(cookieId) ? cookieId : null;
    }

    private void load() {
        if (loaded) {
            return;
        }
        // the flags are set only once Redis answered: a route that catches the 503 of a failed load
        // and goes on finds the session unloaded, not half set up (no id, no creation time)
        if (cookieId != null) {
            long c = store.load(cookieId);
            if (c >= 0) {
                id = cookieId;
                created = c;
                loaded = true;
                touched = true;
                return;
            }
        }
        id = SessionIds.next(); // never adopt an id we did not issue, or one that expired
        created = store.now();
        fresh = true;
        started = true;
        idChanged = true;
        loaded = true;
        touched = true;
    }

    @Override
    public String id() {
        load();
        return id;
    }

    @Override
    public boolean isNew() {
        load();
        return started;
    }

    @Override
    public Optional<String> get(String name) {
        load();
        return Optional.ofNullable(raw(name)).map(RedisSession::text);
    }

    @Override
    public <T> Optional<T> get(String name, Class<T> type) {
        load();
        String raw = raw(name);
        if (raw == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(Json.MAPPER.readValue(raw, type)); // a JSON null stored by an older version
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("session attribute '" + name + "' does not read as " + type.getName(), e);
        }
    }

    /** Attribute {@code name} as this request sees it (its own changes first), JSON text, or null. */
    private String raw(String name) {
        if (removals.contains(name)) {
            return null;
        }
        if (puts.containsKey(name)) {
            return puts.get(name);
        }
        return fresh ? null : cache.computeIfAbsent(name, n -> store.get(dataId(), n));
    }

    @Override
    public void put(String name, Object value) {
        if (value == null) {
            remove(name);
            return;
        }
        load();
        try {
            puts.put(name, Json.MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("session attribute '" + name + "' is not serializable as JSON: " + e.getMessage(), e);
        }
        removals.remove(name);
    }

    @Override
    public void remove(String name) {
        load();
        puts.remove(name);
        removals.add(name);
    }

    @Override
    public long increment(String name, long delta) {
        if (puts.containsKey(name) || removals.contains(name)) {
            // the counter is incremented in Redis at once, the put or remove would be written after it: one would be lost
            throw new IllegalStateException("session attribute '" + name + "' was " + (puts.containsKey(name) ? "set" : "removed")
                    + " earlier in this request; increment it in a request that does not also put or remove it");
        }
        if (!loaded && cookieId != null) {
            // the common case (a counter on a known session) in one round trip: check and count at once
            SessionStore.Counted counted = store.loadAndIncrement(cookieId, name, delta); // throws before any flag is set
            loaded = true;
            touched = true;
            if (counted != null) {
                id = cookieId;
                created = counted.created();
                refreshed = true;
                cache.put(name, Long.toString(counted.value()));
                return counted.value();
            }
            id = SessionIds.next(); // unknown or expired: never adopted
            created = store.now();
            fresh = true;
            started = true;
            idChanged = true;
        }
        load();
        rotate(); // an atomic counter writes at once, so the session must be under its new id first
        OptionalLong result = store.increment(id, name, delta, created, !fresh);
        if (result.isEmpty()) {
            // it ended while this request ran (logged out elsewhere, expired, or Redis lost it):
            // as with an expired id, the request goes on in a new session, never the old id
            id = SessionIds.next();
            created = store.now();
            fresh = true;
            started = true;
            idChanged = true;
            cache.clear();
            result = store.increment(id, name, delta, created, false);
        }
        long value = result.getAsLong();
        fresh = false; // it exists in Redis now
        refreshed = true;
        puts.remove(name);
        removals.remove(name);
        cache.put(name, Long.toString(value));
        return value;
    }

    /**
     * The new id is chosen now, and the move happens in {@link #commit()}, once the route has
     * answered: a route that throws after regenerating leaves the session under its old id,
     * unchanged, instead of moving it to an id the client never receives.
     */
    @Override
    public void regenerate() {
        load();
        if (rotateFrom == null && !fresh) {
            rotateFrom = id;
        }
        id = SessionIds.next();
        idChanged = true;
    }

    /** Where the attributes are in Redis now: the old id until a pending rotation is done. */
    private String dataId() {
        return rotateFrom != null ? rotateFrom : id;
    }

    /** Moves the session to its new id now, if {@link #regenerate()} asked for it. */
    private void rotate() {
        if (rotateFrom != null) {
            if (!store.rename(rotateFrom, id, created)) {
                // it ended meanwhile (its absolute timeout, say): the new id starts afresh, with its
                // own age, or a login that just succeeded would inherit an expired session's
                fresh = true;
                created = store.now();
            }
            rotateFrom = null;
        }
    }

    @Override
    public void invalidate() {
        load();
        if (rotateFrom != null) {
            store.delete(rotateFrom);
            rotateFrom = null;
        } else if (!fresh) {
            store.delete(id);
        }
        invalidated = true;
    }

    /** Whether the request used the session at all. */
    boolean touched() {
        return touched;
    }

    boolean invalidated() {
        return invalidated;
    }

    /** Whether the response must carry a cookie with the (new) id. */
    boolean idChanged() {
        return idChanged && !discarded;
    }

    /**
     * Whether {@link #commit()} stored nothing because the session was new and nobody wrote to it
     * (a read on a request without a session, or whose session had ended).
     */
    boolean discarded() {
        return discarded;
    }

    /**
     * Writes what changed and refreshes the expiry; nothing for an untouched or invalidated session,
     * and nothing for a new session that holds nothing: reads from clients without a session
     * (crawlers, a page that only asks "who is logged in?") leave no key in Redis and get no cookie.
     */
    void commit() {
        if (!touched || invalidated) {
            return;
        }
        rotate();
        if (refreshed && puts.isEmpty() && removals.isEmpty()) {
            return; // an increment already wrote the session and renewed its expiry: nothing left to save
        }
        if (fresh && puts.isEmpty()) {
            discarded = true;
            return;
        }
        store.save(id, created, !fresh, puts, removals); // false: ended or rotated meanwhile, and stays so
        puts.clear();
        removals.clear();
    }

    private static String text(String json) {
        if (json.length() >= 2 && json.charAt(0) == '"') {
            try {
                return Json.MAPPER.readValue(json, String.class);
            } catch (JsonProcessingException e) {
                return json;
            }
        }
        return json;
    }
}
