package io.cadre.state;

import io.cadre.Extension;
import io.cadre.ExtensionContext;
import io.cadre.Filter;
import io.cadre.HttpException;
import io.cadre.Request;
import io.cadre.state.internal.EmbeddedRedisService;
import io.cadre.state.internal.RateLimitFilter;
import io.cadre.state.internal.RateLimiter;
import io.cadre.state.internal.RedisCaches;
import io.cadre.state.internal.RedisConnection;
import io.cadre.state.internal.RedisTarget;
import io.cadre.state.internal.SessionFilter;
import io.cadre.state.internal.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.redisson.api.RFencedLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * Shared state on Redis, as a Cadre {@link Extension}: sessions (opt-in), distributed and fenced
 * locks, rate limits and caches that hold across every worker and host sharing the Redis.
 *
 * <pre>{@code
 * CadreState state = CadreState.builder().sessions(SessionOptions.DEFAULTS).build();
 * App app = App.builder().extension(state).routes(new MyRoutes(state)).build();
 * }</pre>
 *
 * <p>Which Redis: {@code --redis redis://host:6379} (or {@code rediss://}; the password from
 * {@code CADRE_REDIS_PASSWORD}), {@code --redis-config FILE} (a Redisson YAML file, for Sentinel
 * or Cluster), or, with neither, an embedded {@code redis-server} the primary starts on loopback
 * with a random password and no persistence, and stops with itself (docs/state.md). The startup
 * line names it. Workers connect on first use, so a route that never touches state never touches
 * Redis; a Redis that is slow or gone makes a state operation fail once {@code deadlineMillis}
 * (its total time, retries included) has passed, which answers 503, while stateless routes go on.
 *
 * <p>The methods that reach Redis ({@link #lock}, {@link #cache}, {@link #redisson()}...) work in
 * workers, once started. Thread-safe.
 */
public final class CadreState implements Extension {
    private final SessionOptions sessions;
    private final int deadlineMillis;
    private final Clock clock;
    private final String keyPrefix;
    private volatile RedisConnection connection;
    private volatile SessionStore sessionStore;
    private volatile RateLimiter rateLimiter;
    private volatile SessionFilter sessionFilter;
    private volatile EmbeddedRedisService embedded;
    private final java.util.concurrent.ConcurrentHashMap<String, CacheEntry> caches = new java.util.concurrent.ConcurrentHashMap<>();

    private CadreState(Builder b) {
        this.sessions = b.sessions;
        this.deadlineMillis = b.deadlineMillis;
        this.clock = b.clock;
        this.keyPrefix = b.keyPrefix;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "state";
    }

    @Override
    public Map<String, String> options() {
        return Map.of(
                "redis", "the Redis to use, redis://HOST:PORT or rediss://HOST:PORT; the password comes from CADRE_REDIS_PASSWORD"
                        + " (default: an embedded redis-server)",
                "redis-config", "a Redisson YAML file for Redis Sentinel or Cluster (passwords inside it)");
    }

    @Override
    public Started startPrimary(ExtensionContext context) throws Exception {
        Optional<String> url = context.option("redis");
        Optional<String> file = context.option("redis-config");
        if (url.isPresent() && file.isPresent()) {
            throw new IllegalArgumentException("give --redis or --redis-config, not both");
        }
        RedisTarget target;
        String description;
        if (url.isPresent()) {
            target = RedisTarget.fromUrl(url.get(), context.environment());
            description = "redis " + target.describe();
        } else if (file.isPresent()) {
            target = RedisTarget.fromConfigFile(file.get());
            description = target.describe();
        } else {
            embedded = EmbeddedRedisService.start(context.runtimeDirectory());
            target = embedded.target();
            description = embedded.describe();
        }
        return new Started(target.workerEnv(), description);
    }

    @Override
    public void startWorker(ExtensionContext context) {
        RedisTarget target = RedisTarget.fromWorkerEnv(context.environment())
                .orElseThrow(() -> new IllegalStateException("no Redis in this worker's environment: was CadreState registered with the app?"));
        RedisConnection c = new RedisConnection(target, deadlineMillis);
        connection = c;
        sessionStore = new SessionStore(c, sessions == null ? SessionOptions.DEFAULTS : sessions, clock);
        rateLimiter = new RateLimiter(c, keyPrefix + "rl:");
        sessionFilter = new SessionFilter(sessionStore);
    }

    /** Connects ahead of the first request, once the worker serves: connecting costs CPU a booting worker needs. */
    @Override
    public void workerReady() {
        RedisConnection c = connection;
        if (c == null) {
            return;
        }
        Thread.ofVirtual().name("cadre-state-connect").start(() -> {
            try {
                c.client(); // a failure is logged by the connection and retried on first use
            } catch (RuntimeException e) {
                // logged by the connection
            }
        });
    }

    @Override
    public List<Filter> filters() {
        List<Filter> filters = new ArrayList<>();
        if (sessions != null) {
            filters.add((request, next) -> sessionFilter().filter(request, next));
        }
        filters.add(new RateLimitFilter(this::rateLimiter, null));
        return filters;
    }

    @Override
    public Map<Class<?>, Function<Request, Object>> parameters() {
        return Map.of(Session.class, Session::of);
    }

    @Override
    public void stop() {
        RedisConnection c = connection;
        if (c != null) {
            c.close();
        }
        EmbeddedRedisService e = embedded;
        if (e != null) {
            e.close();
        }
    }

    /**
     * A filter that limits every route it wraps (add it with {@code App.Builder.filter}): at most
     * {@code limit} requests per key in each {@code window}, keyed by {@code key} (e.g.
     * {@code request -> request.header("X-Api-Key")}). Same answers as {@link RateLimit}; fails
     * closed (503) when Redis cannot count.
     */
    public Filter rateLimit(String name, int limit, Duration window, Function<Request, String> key) {
        return rateLimit(name, limit, window, key, false);
    }

    /** {@link #rateLimit(String, int, Duration, Function)}, letting requests through uncounted when Redis cannot count ({@code failOpen}). */
    public Filter rateLimit(String name, int limit, Duration window, Function<Request, String> key, boolean failOpen) {
        return new RateLimitFilter(this::rateLimiter, new RateLimitFilter.Rule(name, limit, window.toMillis(), key, failOpen));
    }

    /** A lock across every worker and host (Redisson {@code RLock}: re-entrant, renewed while held by its watchdog). */
    public RLock lock(String name) {
        return redisson().getLock(keyPrefix + "lock:" + name);
    }

    /**
     * A lock that hands out an increasing token with each acquisition (Redisson
     * {@code RFencedLock}). Give the token to the resource the lock protects and let it refuse
     * older tokens: that is what keeps a holder that was paused past its lease from writing after
     * a newer holder did (docs/state.md).
     */
    public RFencedLock fencedLock(String name) {
        return redisson().getFencedLock(keyPrefix + "fenced:" + name);
    }

    /**
     * Runs {@code work} holding lock {@code name}, waiting at most {@code wait} for it. A lock that
     * stays taken answers 503 with {@code Retry-After}, as does a Redis that cannot be reached
     * (within the wait plus the deadline). The lock is renewed by Redisson's watchdog while
     * {@code work} runs, and released after it, also when it throws.
     */
    public <T> T withLock(String name, Duration wait, Callable<T> work) throws Exception {
        RedisConnection c = connection();
        RLock lock = lock(name);
        long thread = Thread.currentThread().threadId();
        String hold = name + '#' + thread;
        // lease -1: held until released, renewed by the watchdog; a grant that arrives after the
        // deadline is released at once, so a caller that gave up never leaves the lock taken
        boolean held;
        try {
            held = c.call("the lock service", wait.toMillis() + c.deadlineMillis(),
                    client -> lock.tryLockAsync(wait.toMillis(), -1, TimeUnit.MILLISECONDS, thread),
                    granted -> {
                        if (granted) {
                            lock.unlockAsync(thread);
                        }
                    });
        } catch (HttpException e) {
            // Redisson gave up first (its own timeout, Redis stalled): a lock script still waiting
            // in a stalled Redis may run when it resumes, and grant the lock to no one, with no
            // watchdog renewing it: it would block every other worker for the whole lease
            releaseLateGrant(c, lock, hold, thread); // not while this thread holds it through an outer withLock
            throw e;
        }
        if (!held) {
            throw new HttpException(503, "lock '" + name + "' was not free within " + wait.toMillis() + " ms",
                    List.of(Map.entry("Retry-After", "1")));
        }
        heldByWithLock.merge(hold, 1, Integer::sum);
        try {
            return work.call();
        } finally {
            heldByWithLock.computeIfPresent(hold, (k, n) -> n == 1 ? null : n - 1);
            try {
                c.call("the lock service", client -> lock.unlockAsync(thread));
            } catch (HttpException e) {
                // Redis is away: the lock expires by itself when the watchdog can no longer renew it
            }
        }
    }

    /** Locks this JVM's threads hold through {@link #withLock}, name#thread to depth. */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> heldByWithLock = new java.util.concurrent.ConcurrentHashMap<>();

    /** How long after a failed acquisition a late grant is looked for: Redisson's default lease, which ends it anyway. UNIT: ms. */
    static final long LATE_GRANT_WATCH_MILLIS = 30_000;
    /** Failed acquisitions watched at once; past that (a long outage under load) the lease alone ends late grants. */
    static final int LATE_GRANT_WATCH_LIMIT = 1_000;

    /** A failed acquisition whose late grant is looked for: the lock, the thread it was asked for, until when. */
    private record LateGrant(RLock lock, String hold, long thread, long untilNanos, int[] notHeld) {
    }

    private final java.util.concurrent.ConcurrentHashMap<String, LateGrant> lateGrants = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean lateGrantWatcher = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Looks, once a second until {@link #LATE_GRANT_WATCH_MILLIS} passes or Redis has answered "not
     * held" three times, for a grant of {@code lock} to {@code thread} that arrived after its
     * caller gave up, and releases it. One watcher thread serves every such acquisition. A thread
     * that holds the lock through {@code withLock} at the time of a look (it asked again, and got
     * it) is left alone: that hold is its caller's.
     */
    private void releaseLateGrant(RedisConnection c, RLock lock, String hold, long thread) {
        if (lateGrants.size() >= LATE_GRANT_WATCH_LIMIT) {
            return;
        }
        lateGrants.putIfAbsent(hold, new LateGrant(lock, hold, thread,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LATE_GRANT_WATCH_MILLIS), new int[1]));
        if (lateGrantWatcher.compareAndSet(false, true)) {
            Thread.ofVirtual().name("cadre-lock-late-grant").start(() -> watchLateGrants(c));
        }
    }

    private void watchLateGrants(RedisConnection c) {
        try {
            while (!lateGrants.isEmpty()) {
                Thread.sleep(1_000);
                for (LateGrant g : lateGrants.values()) {
                    if (System.nanoTime() > g.untilNanos() || g.notHeld()[0] >= 3) {
                        lateGrants.remove(g.hold(), g);
                        continue;
                    }
                    if (heldByWithLock.containsKey(g.hold())) {
                        continue; // held now by its thread's own later withLock
                    }
                    try {
                        if (c.call("the lock service", client -> g.lock().isHeldByThreadAsync(g.thread()))) {
                            c.call("the lock service", client -> g.lock().unlockAsync(g.thread()));
                            lateGrants.remove(g.hold(), g);
                        } else {
                            g.notHeld()[0]++;
                        }
                    } catch (HttpException e) {
                        // Redis is still away; look again
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the worker is stopping: the lease ends what is left
        } finally {
            lateGrantWatcher.set(false);
            if (!lateGrants.isEmpty() && lateGrantWatcher.compareAndSet(false, true)) {
                Thread.ofVirtual().name("cadre-lock-late-grant").start(() -> watchLateGrants(c)); // one came in as this one ended
            }
        }
    }

    /**
     * A cache kept in Redis, shared by every worker, entries living {@code ttl}. The same name gives
     * the same cache (call it once and keep it, or on each request: both are cheap); asking for a
     * name again with another type or TTL fails.
     */
    public <V> SharedCache<V> cache(String name, Class<V> type, Duration ttl) {
        return cached("cache:" + name, type, ttl, 0, () -> RedisCaches.shared(this::connection, keyPrefix + "cache:" + name, type, ttl));
    }

    /**
     * A cache with a local copy in each worker (at most {@code localEntries}, living {@code ttl}),
     * dropped on every worker when any of them changes an entry: for read-mostly data. The entries
     * in Redis live until they are replaced or removed (per-entry expiry of a near cache is not in
     * open-source Redisson); {@code ttl} bounds how long a worker keeps its copy. Same name, same
     * cache, as {@link #cache}.
     */
    public <V> SharedCache<V> nearCache(String name, Class<V> type, Duration ttl, int localEntries) {
        if (localEntries < 1) {
            throw new IllegalArgumentException("localEntries must be >= 1, was " + localEntries);
        }
        return cached("near:" + name, type, ttl, localEntries,
                () -> RedisCaches.near(this::connection, keyPrefix + "near:" + name, type, ttl, localEntries));
    }

    private record CacheEntry(Class<?> type, Duration ttl, int localEntries, SharedCache<?> cache) {
    }

    @SuppressWarnings("unchecked")
    private <V> SharedCache<V> cached(String id, Class<V> type, Duration ttl, int localEntries, java.util.function.Supplier<SharedCache<V>> make) {
        java.util.Objects.requireNonNull(type, "type");
        if (ttl == null || ttl.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("cache " + id + ": ttl must be at least 1 ms (Redis keeps milliseconds), was " + ttl);
        }
        CacheEntry entry = caches.computeIfAbsent(id, k -> new CacheEntry(type, ttl, localEntries, make.get()));
        if (!entry.type().equals(type) || !entry.ttl().equals(ttl) || entry.localEntries() != localEntries) {
            throw new IllegalArgumentException("cache " + id + " exists with type " + entry.type().getName() + ", ttl " + entry.ttl()
                    + (localEntries > 0 ? ", " + entry.localEntries() + " local entries" : "") + "; asked again with type "
                    + type.getName() + ", ttl " + ttl);
        }
        return (SharedCache<V>) entry.cache();
    }

    /** The worker's Redisson client, for anything else. */
    public RedissonClient redisson() {
        return connection().client();
    }

    private RedisConnection connection() {
        RedisConnection c = connection;
        if (c == null) {
            throw new IllegalStateException("shared state is available in workers only, once they started");
        }
        return c;
    }

    private SessionFilter sessionFilter() {
        connection();
        return sessionFilter;
    }

    private RateLimiter rateLimiter() {
        connection();
        return rateLimiter;
    }

    /** Builds a {@link CadreState}. */
    public static final class Builder {
        private SessionOptions sessions;
        private int deadlineMillis = 1_000;
        private Clock clock = Clock.systemUTC();
        private String keyPrefix = "cadre:";

        private Builder() {
        }

        /** Turns sessions on, with {@code options}. Default: off. */
        public Builder sessions(SessionOptions options) {
            this.sessions = java.util.Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * The total time one state operation may take, its retry included, before it fails with
         * 503 ({@code withLock} adds its wait time). UNIT: ms. Default: 1000.
         */
        public Builder deadlineMillis(int millis) {
            if (millis < 1) {
                throw new IllegalArgumentException("deadlineMillis must be >= 1, was " + millis);
            }
            this.deadlineMillis = millis;
            return this;
        }

        /** The clock sessions expire by. Default: the system clock (tests pass their own). */
        public Builder clock(Clock value) {
            this.clock = java.util.Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The prefix of every Redis key this module writes (locks, limits, caches). Default: {@code cadre:}. */
        public Builder keyPrefix(String prefix) {
            if (prefix == null || prefix.isEmpty()) {
                throw new IllegalArgumentException("keyPrefix must not be empty");
            }
            this.keyPrefix = prefix;
            return this;
        }

        public CadreState build() {
            return new CadreState(this);
        }
    }
}
