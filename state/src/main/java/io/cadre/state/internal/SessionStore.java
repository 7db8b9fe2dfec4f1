package io.cadre.state.internal;

import io.cadre.state.SessionOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.redisson.api.RBatch;
import org.redisson.api.RMapAsync;
import org.redisson.api.RScript;
import org.redisson.client.codec.StringCodec;

/**
 * Sessions in Redis: one hash per session, {@code <prefix><id>}, with {@code _created} and
 * {@code _last} (epoch ms) and one field {@code a:<name>} per attribute (JSON text). The key's TTL
 * follows the idle timeout, capped by what is left of the absolute one; both are also checked on
 * every load, so a clock-driven expiry does not wait for Redis. Every script touches one key, so it
 * works on Redis Cluster too. Every call runs under the connection's deadline (a 503 past it).
 * Thread-safe.
 */
public final class SessionStore {
    static final String CREATED = "_created";
    static final String LAST = "_last";
    static final String ATTRIBUTE = "a:";

    /**
     * Adds to a counter and refreshes the expiry; one key. ARGV[6] = 1: the session must exist
     * already (else {0} is returned and nothing written, so a session that another request ended
     * or rotated is never brought back); 0: a new session, created here.
     */
    private static final String INCREMENT = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              if ARGV[6] == '1' then return {0} end
              redis.call('HSET', KEYS[1], '_created', ARGV[5])
            end
            local v = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[1], '_last', ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return {1, v}""";

    /**
     * Writes changed fields, removes removed ones and refreshes the expiry; one key. ARGV[1] = 1:
     * only if the session still exists (returns 0 otherwise); ARGV[2]: TTL ms; ARGV[3]: n, the
     * number of field/value pairs that follow; then the fields to remove.
     */
    private static final String SAVE = """
            if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            local n = tonumber(ARGV[3])
            for i = 0, n - 1 do redis.call('HSET', KEYS[1], ARGV[4 + 2 * i], ARGV[5 + 2 * i]) end
            for i = 4 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1""";

    /**
     * Checks session KEYS[1] and adds to a counter in one round trip: {0} when it is unknown or
     * past its idle (ARGV[4]) or absolute (ARGV[5]) timeout at ARGV[3] (an expired one is deleted);
     * else counts ARGV[2] on field ARGV[1], renews {@code _last} and the expiry, and answers
     * {1, value, created}.
     */
    private static final String LOAD_INCREMENT = """
            local c = redis.call('HGET', KEYS[1], '_created')
            local l = redis.call('HGET', KEYS[1], '_last')
            if not c or not l then return {0} end
            c = tonumber(c)
            local now = tonumber(ARGV[3])
            if now - tonumber(l) >= tonumber(ARGV[4]) or now - c >= tonumber(ARGV[5]) then
              redis.call('DEL', KEYS[1])
              return {0}
            end
            local v = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[1], '_last', ARGV[3])
            local ttl = math.min(tonumber(ARGV[4]), c + tonumber(ARGV[5]) - now)
            if ttl < 1 then ttl = 1 end
            redis.call('PEXPIRE', KEYS[1], ttl)
            return {1, v, c}""";

    /** A counter's new value and its session's creation time. */
    record Counted(long value, long created) {
    }

    private static final String WHAT = "the session store";

    private final RedisConnection redis;
    private final SessionOptions options;
    private final Clock clock;

    public SessionStore(RedisConnection redis, SessionOptions options, Clock clock) {
        this.redis = redis;
        this.options = options;
        this.clock = clock;
    }

    SessionOptions options() {
        return options;
    }

    long now() {
        return clock.millis();
    }

    String key(String id) {
        return options.keyPrefix() + id;
    }

    /** The creation time of a live session {@code id}, or -1 when it is unknown or expired (an expired one is deleted). */
    long load(String id) {
        Map<String, String> meta = redis.call(WHAT, c -> c.<String, String>getMap(key(id), StringCodec.INSTANCE)
                .getAllAsync(Set.of(CREATED, LAST)));
        String created = meta.get(CREATED);
        String last = meta.get(LAST);
        if (created == null || last == null) {
            return -1;
        }
        long now = now();
        long c = Long.parseLong(created);
        if (now - Long.parseLong(last) >= options.idleTimeoutMillis() || now - c >= options.absoluteTimeoutMillis()) {
            delete(id);
            return -1;
        }
        return c;
    }

    String get(String id, String name) {
        return redis.call(WHAT, c -> c.<String, String>getMap(key(id), StringCodec.INSTANCE).getAsync(ATTRIBUTE + name));
    }

    /**
     * Adds {@code delta} to counter {@code name}; returns the new value, or empty when the session
     * had to exist ({@code existing}) and no longer does.
     */
    OptionalLong increment(String id, String name, long delta, long created, boolean existing) {
        List<Object> v = redis.call(WHAT, c -> redis.scriptOnce(c).evalAsync(key(id), RScript.Mode.READ_WRITE, INCREMENT,
                RScript.ReturnType.MULTI, List.<Object>of(key(id)), ATTRIBUTE + name, Long.toString(delta), Long.toString(now()),
                Long.toString(ttl(created)), Long.toString(created), existing ? "1" : "0"));
        return ((Number) v.get(0)).longValue() == 1 ? OptionalLong.of(((Number) v.get(1)).longValue()) : OptionalLong.empty();
    }

    /**
     * Adds {@code delta} to counter {@code name} of live session {@code id}, checking that it is
     * live in the same round trip; null when it is unknown or expired (then it is deleted).
     */
    Counted loadAndIncrement(String id, String name, long delta) {
        List<Object> v = redis.call(WHAT, c -> redis.scriptOnce(c).evalAsync(key(id), RScript.Mode.READ_WRITE,
                LOAD_INCREMENT, RScript.ReturnType.MULTI, List.<Object>of(key(id)), ATTRIBUTE + name, Long.toString(delta),
                Long.toString(now()), Long.toString(options.idleTimeoutMillis()), Long.toString(options.absoluteTimeoutMillis())));
        if (((Number) v.get(0)).longValue() != 1) {
            return null;
        }
        return new Counted(((Number) v.get(1)).longValue(), ((Number) v.get(2)).longValue());
    }

    /**
     * Writes the changed attributes and refreshes the session, in one round trip; returns false
     * (writing nothing) when the session had to exist ({@code existing}) and another request ended
     * or rotated it meanwhile: a save never brings an invalidated or rotated id back to life.
     */
    boolean save(String id, long created, boolean existing, Map<String, String> puts, Set<String> removals) {
        List<Object> args = new ArrayList<>();
        args.add(existing ? "1" : "0");
        args.add(Long.toString(ttl(created)));
        args.add(Integer.toString(puts.size() + 2));
        args.add(CREATED);
        args.add(Long.toString(created));
        args.add(LAST);
        args.add(Long.toString(now()));
        for (Map.Entry<String, String> e : puts.entrySet()) {
            args.add(ATTRIBUTE + e.getKey());
            args.add(e.getValue());
        }
        for (String name : removals) {
            args.add(ATTRIBUTE + name);
        }
        Long saved = redis.call(WHAT, c -> c.getScript(StringCodec.INSTANCE).evalAsync(key(id), RScript.Mode.READ_WRITE, SAVE,
                RScript.ReturnType.INTEGER, List.<Object>of(key(id)), args.toArray()));
        return saved != null && saved == 1L;
    }

    /**
     * Moves session {@code from} (created at {@code created}) to id {@code to}; the old id stops
     * working at once. A copy and a delete rather than RENAME, which Redis Cluster refuses for keys
     * in different hash slots (and two random ids almost always are). The old id is deleted
     * before the new one is written: a worker that dies between the two loses the session (its
     * user signs in again) rather than leaving it alive under the id it was meant to leave, and of
     * two requests rotating one session at once only the one whose delete found the old id moves
     * it. Returns false when {@code from} no longer existed (nothing was moved).
     */
    boolean rename(String from, String to, long created) {
        Map<String, String> all = redis.call(WHAT, c -> c.<String, String>getMap(key(from), StringCodec.INSTANCE).readAllMapAsync());
        if (all.isEmpty()) {
            return false;
        }
        // one attempt: a retried DEL would find the key gone (by its own first attempt) and answer 0
        Long deleted = redis.call(WHAT, c -> redis.keysOnce(c).deleteAsync(key(from)));
        if (deleted == null || deleted == 0L) {
            return false; // ended or rotated by another request meanwhile
        }
        long ttl = ttl(created);
        redis.call(WHAT, c -> {
            RBatch batch = c.createBatch();
            RMapAsync<String, String> map = batch.getMap(key(to), StringCodec.INSTANCE);
            map.putAllAsync(all);
            map.expireAsync(Duration.ofMillis(ttl));
            return batch.executeAsync();
        });
        return true;
    }

    void delete(String id) {
        redis.call(WHAT, c -> c.getKeys().deleteAsync(key(id)));
    }

    /** The key's time to live: the idle timeout, capped by what is left of the absolute one. */
    private long ttl(long created) {
        long left = created + options.absoluteTimeoutMillis() - now();
        return Math.max(1, Math.min(options.idleTimeoutMillis(), left));
    }

}
