package io.cadre.state.internal;

import java.util.List;
import java.util.Map;
import org.redisson.api.RScript;

/**
 * Fixed-window counters in Redis: one key per budget, key value and window
 * ({@code <prefix><length of budget>:<budget>:<key>}: the length keeps a budget whose name has a
 * ':' in it from meeting another budget's keys, whatever a client sends as its key), incremented
 * atomically by one script that also sets the window's expiry. Exact across workers and hosts: with a limit of 100, the 101st request of a
 * window is refused wherever it lands. Thread-safe.
 */
public final class RateLimiter {
    /** INCR, set the window on the first hit, return {count, milliseconds left}. */
    private static final String HIT = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
            return {n, ttl}""";

    /** The outcome of one request against a budget. */
    public record Decision(boolean allowed, int limit, long remaining, long resetSeconds) {
        /** The {@code RateLimit-*} headers (and {@code Retry-After} when refused). */
        public List<Map.Entry<String, String>> headers() {
            List<Map.Entry<String, String>> h = new java.util.ArrayList<>(List.of(
                    Map.entry("RateLimit-Limit", Integer.toString(limit)),
                    Map.entry("RateLimit-Remaining", Long.toString(remaining)),
                    Map.entry("RateLimit-Reset", Long.toString(resetSeconds))));
            if (!allowed) {
                h.add(Map.entry("Retry-After", Long.toString(Math.max(1, resetSeconds))));
            }
            return h;
        }
    }

    private final RedisConnection redis;
    private final String prefix;

    public RateLimiter(RedisConnection redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    String redisKey(String budget, String key) {
        return prefix + budget.length() + ":" + budget + ":" + key;
    }

    /** Counts one request of {@code key} against {@code budget}; a Redis failure is a 503. */
    public Decision hit(String budget, String key, int limit, long windowMillis) {
        String redisKey = redisKey(budget, key);
        List<Object> result = redis.call("the rate limiter", c -> redis.scriptOnce(c).evalAsync(redisKey,
                RScript.Mode.READ_WRITE, HIT, RScript.ReturnType.MULTI, List.<Object>of(redisKey), Long.toString(windowMillis)));
        long count = ((Number) result.get(0)).longValue();
        long ttl = ((Number) result.get(1)).longValue();
        long reset = (ttl + 999) / 1000;
        return new Decision(count <= limit, limit, Math.max(0, limit - count), reset);
    }
}
