package io.cadre.state.internal;

import io.cadre.HttpException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.redisson.Redisson;
import org.redisson.api.RFuture;
import org.redisson.api.RKeys;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysOptions;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's Redisson client and the deadline every state operation runs under.
 *
 * <p>The client is made on first use (a worker whose routes never touch state never connects) with
 * lazy initialization, so a Redis that is down when the worker starts is simply tried again by the
 * next call. Redisson's timeouts are set so that one attempt, one retry and the pause between
 * them fit in {@code deadlineMillis}; and {@link #call} waits for the answer no longer than the
 * deadline whatever Redisson does (a paused Redis, an exhausted pool), so no request hangs on
 * Redis. A call that misses its deadline or fails to reach Redis is an {@link HttpException} 503
 * with {@code Retry-After: 1}. Values go through {@link StringCodec}; Cadre writes JSON itself.
 * Thread-safe.
 */
public final class RedisConnection implements AutoCloseable {
    /** Connections per worker for commands (not pub/sub). */
    static final int CONNECTIONS = 2;
    private static final Logger log = LoggerFactory.getLogger(RedisConnection.class);

    private final RedisTarget target;
    private final int deadlineMillis;
    private final ReentrantLock creating = new ReentrantLock(); // not synchronized: callers may be virtual threads
    private volatile RedissonClient client;
    private volatile boolean closed;
    private volatile long lastFailureLog = System.nanoTime() - 2_000_000_000L;

    public RedisConnection(RedisTarget target, int deadlineMillis) {
        this.target = target;
        this.deadlineMillis = deadlineMillis;
    }

    /** The total time one state operation may take, retries included. UNIT: ms. */
    public int deadlineMillis() {
        return deadlineMillis;
    }

    /** The client, made if needed; a configuration that cannot be used is a 503 for the caller. */
    public RedissonClient client() {
        RedissonClient c = client;
        if (c != null) {
            return c;
        }
        creating.lock();
        try {
            if (closed) {
                throw unavailable("the worker is stopping");
            }
            if (client == null) {
                try {
                    client = Redisson.create(config());
                } catch (IOException | RuntimeException e) {
                    logFailure("cannot set up the Redis client for " + target.describe(), e);
                    throw unavailable("shared state (Redis) is unreachable");
                }
            }
            return client;
        } finally {
            creating.unlock();
        }
    }

    /**
     * Scripts for writes that must not run twice (counters, rate limits): one attempt, given most of
     * the deadline. Redisson's retry does not withdraw an attempt that timed out, so a Redis that
     * stalls past the first attempt's timeout and then resumes would run both (a rate limit
     * counting one request twice, a counter adding its delta twice).
     */
    public RScript scriptOnce(RedissonClient client) {
        return client.getScript(OptionalOptions.defaults().codec(StringCodec.INSTANCE).retryAttempts(0)
                .timeout(Duration.ofMillis(onceMillis())));
    }

    /** Key commands whose answer must come from one execution (a DEL whose count decides what happens next). */
    public RKeys keysOnce(RedissonClient client) {
        return client.getKeys(KeysOptions.defaults().retryAttempts(0).timeout(Duration.ofMillis(onceMillis())));
    }

    /** The timeout of a single attempt: the deadline less a tenth, so that its answer is still awaited. UNIT: ms. */
    int onceMillis() {
        return Math.max(1, deadlineMillis - Math.max(1, deadlineMillis / 10));
    }

    /**
     * Runs {@code operation} and waits for its answer at most the deadline; a failure or a missed
     * deadline is a 503 saying that {@code what} is unavailable.
     */
    public <T> T call(String what, Function<RedissonClient, RFuture<T>> operation) {
        return call(what, deadlineMillis, operation);
    }

    /** {@link #call} with a longer wait, for an operation that waits by design (a lock's wait time). */
    public <T> T call(String what, long waitMillis, Function<RedissonClient, RFuture<T>> operation) {
        return call(what, waitMillis, operation, null);
    }

    /**
     * {@link #call} that, when the deadline passes first, hands a result that still arrives to
     * {@code late} instead of cancelling (a lock granted after its caller gave up must be released).
     */
    public <T> T call(String what, long waitMillis, Function<RedissonClient, RFuture<T>> operation, Consumer<T> late) {
        RFuture<T> future;
        try {
            future = operation.apply(client());
        } catch (HttpException e) {
            throw e;
        } catch (NullPointerException | IllegalArgumentException | IllegalStateException e) {
            // not Redis being away: a mistake in the call (a null key, say), which the caller should see
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            logFailure(what + " failed", e);
            throw unavailable(what + " is unavailable");
        }
        try {
            return future.toCompletableFuture().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (late == null) {
                future.cancel(false);
            } else {
                future.whenComplete((value, error) -> {
                    if (error == null && value != null) {
                        late.accept(value);
                    }
                });
            }
            logFailure(what + " took longer than " + waitMillis + " ms", null);
            throw unavailable(what + " is unavailable (Redis did not answer within " + waitMillis + " ms)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof HttpException http) {
                throw http;
            }
            if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException || wrongType(cause)) {
                // not Redis being away: a mistake in the call, or a key that holds another type, which the caller should see
                throw new IllegalStateException(what + " failed: " + cause.getMessage(), cause);
            }
            logFailure(what + " failed", cause);
            throw unavailable(what + " is unavailable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw unavailable(what + " was interrupted");
        }
    }

    /**
     * Whether Redis answered with a WRONGTYPE error: the key holds a value of another type (another
     * app or a hand-made key under the same name), which no retry later will mend: a 500, not a
     * 503 that says Redis is away.
     */
    static boolean wrongType(Throwable cause) {
        return cause instanceof org.redisson.client.RedisException && cause.getMessage() != null
                && cause.getMessage().startsWith("WRONGTYPE");
    }

    Config config() throws IOException {
        Config config;
        BaseConfig<?> servers;
        if (target.configFile() != null) {
            config = Config.fromYAML(target.configFile().toFile());
            servers = config.isClusterConfig() ? config.useClusterServers()
                    : config.isSentinelConfig() ? config.useSentinelServers()
                    : config.isSingleConfig() ? config.useSingleServer()
                    : null;
        } else {
            config = new Config();
            servers = config.useSingleServer()
                    .setAddress(target.url())
                    // Two connections, both kept open (a burst then finds them ready instead of
                    // connecting under load, which may not fit in one attempt's share of the
                    // deadline), served by one Netty event loop. Redisson lets concurrent commands
                    // share a connection. Against 16 connections on 4 event loops, /session on two
                    // workers ran at 9 200-10 000 req/s instead of 8 400-8 600, at 164-179 µs of
                    // server CPU per request instead of 196-204 (redis-server's own share did not
                    // fall: 40 against 34 µs); see docs/benchmarks.md.
                    .setConnectionMinimumIdleSize(CONNECTIONS)
                    .setConnectionPoolSize(CONNECTIONS)
                    .setSubscriptionConnectionMinimumIdleSize(1)
                    .setSubscriptionConnectionPoolSize(8);
            if (target.password() != null) {
                servers.setPassword(target.password());
            }
            if (target.username() != null) {
                servers.setUsername(target.username());
            }
        }
        if (servers != null) {
            // one attempt, the pause, one retry: within the deadline
            int pause = Math.max(1, deadlineMillis / 10);
            int attempt = Math.max(1, (deadlineMillis - pause) / 2);
            servers.setTimeout(attempt).setConnectTimeout(attempt).setRetryAttempts(1).setRetryInterval(pause);
        }
        config.setCodec(StringCodec.INSTANCE);
        config.setLazyInitialization(true);
        // a worker is one core's worth of work: one event loop, no hand-offs between loops; unless
        // the YAML file chose its own (a value other than Redisson's default)
        Config defaults = new Config();
        if (config.getThreads() == defaults.getThreads()) {
            config.setThreads(2);
        }
        if (config.getNettyThreads() == defaults.getNettyThreads()) {
            config.setNettyThreads(1);
        }
        return config;
    }

    /** The answer for a failed state operation: 503 with a short Retry-After. */
    public static HttpException unavailable(String why) {
        return new HttpException(503, why, List.of(Map.entry("Retry-After", "1")));
    }

    /** At most one line a second, so that an outage under load does not flood the log. */
    private void logFailure(String what, Throwable cause) {
        long now = System.nanoTime();
        if (now - lastFailureLog < 1_000_000_000L) {
            return;
        }
        lastFailureLog = now;
        log.warn("{} ({}): {}", what, target.describe(), cause == null ? "deadline" : cause.toString());
    }

    public RedisTarget target() {
        return target;
    }

    @Override
    public void close() {
        creating.lock();
        try {
            closed = true;
            if (client != null) {
                client.shutdown();
                client = null;
            }
        } finally {
            creating.unlock();
        }
    }
}
