package io.cadre.jmh;

import io.cadre.ExtensionContext;
import io.cadre.state.CadreState;
import io.cadre.state.SessionOptions;
import io.cadre.state.internal.BenchAccess;
import io.cadre.state.internal.RateLimiter;
import io.cadre.state.internal.RedisConnection;
import io.cadre.state.internal.RedisTarget;
import io.cadre.state.internal.SessionStore;
import io.cadre.state.internal.redis.RedisBinary;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.internal.redis.RedisServerConfig;
import io.cadre.state.internal.redis.Resp;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.api.redisnode.RedisMaster;
import org.redisson.api.redisnode.RedisNodes;

/**
 * What the state module's operations cost a request, against a real redis-server on loopback: the
 * time from the call until its answer is back on the calling thread, one call at a time (average
 * time per operation, µs).
 *
 * <ul>
 *   <li>{@code sessionLoadGetSave}: one request that uses a session with four attributes: its
 *       meta loaded (HMGET), one attribute read (HGET), one changed attribute saved with the
 *       refreshed expiry (EVAL), through the same {@code RedisSession}/{@code SessionStore} code
 *       the session filter runs. Three round trips.</li>
 *   <li>{@code sessionLoadIncrementSave}: the visit counter of {@code GET /session}: load
 *       (HMGET), {@code Session.increment} (EVAL), save (EVAL). Three round trips.</li>
 *   <li>{@code rateLimitHit}: {@code RateLimiter.hit}, one EVAL (INCR, PEXPIRE, PTTL), never
 *       refused (the limit is {@code Integer.MAX_VALUE}).</li>
 *   <li>{@code lockAcquireRelease}: {@code CadreState.withLock} on an uncontended lock:
 *       {@code RLock.tryLockAsync} with the watchdog lease, the (empty) work, {@code unlockAsync}.
 *       Two round trips, plus the watchdog's renewal task being scheduled and cancelled.</li>
 *   <li>{@code pingRedisson}: PING through the same Redisson client and {@code RedisConnection.call}
 *       path as the operations above: the floor of one round trip through the client.</li>
 *   <li>{@code pingRaw}: PING on a plain blocking socket (Cadre's own RESP client), no Redisson:
 *       the floor of the loopback round trip and redis-server itself.</li>
 * </ul>
 *
 * <p>Each fork starts its own redis-server (the embedded 7.0.15 binary, or {@code redis-server} on
 * {@code PATH} when there is one; loopback, random password, no persistence, guarded by the fork so
 * that it dies with it) in its trial setup and stops it in the trial teardown, or at once when a
 * benchmark method fails (JMH skips the teardown then); a fork that is killed takes it down through
 * the server's shutdown hook and watchdog. The client is the one a worker uses
 * ({@code RedisConnection}, Redisson, 1000 ms deadline); the lock goes through a {@code CadreState}
 * started as a worker against the same server. Client, benchmark thread and redis-server share the
 * machine's cores. With more threads ({@code -t N}) each thread has its own
 * session, rate-limit key and lock, so the numbers stay uncontended.
 *
 * <p>About two minutes for the whole class:
 * {@code java -jar jmh/target/benchmarks.jar StateBenchmark}; a short look:
 * {@code java -jar jmh/target/benchmarks.jar StateBenchmark -f 1 -wi 2 -i 3 -w 1s -r 2s}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class StateBenchmark {
    /** A worker's deadline for one state operation (the {@code CadreState} default). UNIT: ms. */
    static final int DEADLINE_MILLIS = 1_000;

    /** The session's attributes: a few, of the sizes an app keeps there. */
    static final Map<String, Object> ATTRIBUTES = Map.of(
            "user", Map.of("id", 4711, "name", "Ada Lovelace", "email", "ada@example.org", "roles", List.of("reader", "editor")),
            "locale", "en-GB",
            "cart", List.of(Map.of("isbn", "978-0262033848", "qty", 1), Map.of("isbn", "978-0134685991", "qty", 2)),
            "lastPage", "/books/978-0262033848");

    /** The redis-server and the clients of one fork. */
    @State(Scope.Benchmark)
    public static class Redis {
        RedisServer server;
        RedisConnection connection;
        CadreState state;
        SessionStore sessions;
        RateLimiter limiter;
        RedisMaster node;
        final AtomicInteger threads = new AtomicInteger();

        @Setup(Level.Trial)
        public void start() throws Exception {
            try {
                Path dir = Path.of(System.getProperty("java.io.tmpdir"), "cadre-jmh-redis-" + System.getProperty("user.name"));
                RedisBinary binary = RedisBinary.locate(dir);
                server = RedisServer.start(binary, RedisServerConfig.defaults());
                RedisTarget target = new RedisTarget(server.uri(), null, server.password(), null);
                connection = new RedisConnection(target, DEADLINE_MILLIS);
                sessions = new SessionStore(connection, SessionOptions.DEFAULTS, Clock.systemUTC());
                limiter = new RateLimiter(connection, "cadre:rl:");
                node = connection.client().getRedisNodes(RedisNodes.SINGLE).getInstance();
                state = CadreState.builder().deadlineMillis(DEADLINE_MILLIS).build();
                state.startWorker(new ExtensionContext(Map.of(), target.workerEnv(), dir, 1, ProcessHandle.current().pid(), 1,
                        10_000));
                if (!connection.call("PING", c -> node.pingAsync())) {
                    throw new IllegalStateException("redis-server does not answer PING through Redisson");
                }
                System.out.printf("%nredis-server %s (%s) pid %d on %s%n", binary.version(), binary.source(), server.pid(), server.uri());
            } catch (Exception | Error e) {
                stop();
                throw e;
            }
        }

        /**
         * Stops everything at once when a benchmark method fails: JMH skips the trial teardown
         * then, and the fork would wait 30 s for Redisson's threads before it is forced out.
         */
        void failed(Throwable error) {
            try {
                stop();
            } catch (RuntimeException e) {
                error.addSuppressed(e);
            }
        }

        @TearDown(Level.Trial)
        public synchronized void stop() {
            try {
                if (state != null) {
                    state.stop();
                }
            } finally {
                state = null;
                try {
                    if (connection != null) {
                        connection.close();
                    }
                } finally {
                    connection = null;
                    if (server != null) {
                        server.close(); // last, and also when closing a client failed: no redis-server left behind
                        server = null;
                    }
                }
            }
        }
    }

    /** One benchmark thread's own session, keys and raw connection. */
    @State(Scope.Thread)
    public static class Client {
        String sessionId;
        String rateKey;
        String lockName;
        Resp raw;
        long page;

        @Setup(Level.Trial)
        public void open(Redis redis) throws IOException {
            int n = redis.threads.incrementAndGet();
            sessionId = BenchAccess.createSession(redis.sessions, ATTRIBUTES);
            rateKey = "client-" + n;
            lockName = "bench-" + n;
            raw = redis.server.connect(DEADLINE_MILLIS);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (raw != null) {
                raw.close();
                raw = null;
            }
        }
    }

    @Benchmark
    public String sessionLoadGetSave(Redis redis, Client client) {
        try {
            return BenchAccess.loadGetSave(redis.sessions, client.sessionId, "user", "lastPage", "/books/" + (++client.page));
        } catch (RuntimeException | Error e) {
            redis.failed(e);
            throw e;
        }
    }

    @Benchmark
    public long sessionLoadIncrementSave(Redis redis, Client client) {
        try {
            return BenchAccess.loadIncrementSave(redis.sessions, client.sessionId, "count");
        } catch (RuntimeException | Error e) {
            redis.failed(e);
            throw e;
        }
    }

    @Benchmark
    public RateLimiter.Decision rateLimitHit(Redis redis, Client client) {
        try {
            return redis.limiter.hit("bench", client.rateKey, Integer.MAX_VALUE, 60_000);
        } catch (RuntimeException | Error e) {
            redis.failed(e);
            throw e;
        }
    }

    @Benchmark
    public Integer lockAcquireRelease(Redis redis, Client client) throws Exception {
        try {
            return redis.state.withLock(client.lockName, Duration.ofMillis(100), () -> 1);
        } catch (Exception | Error e) {
            redis.failed(e);
            throw e;
        }
    }

    @Benchmark
    public Boolean pingRedisson(Redis redis) {
        try {
            return redis.connection.call("PING", c -> redis.node.pingAsync());
        } catch (RuntimeException | Error e) {
            redis.failed(e);
            throw e;
        }
    }

    @Benchmark
    public Object pingRaw(Redis redis, Client client) throws IOException {
        try {
            return client.raw.call("PING");
        } catch (IOException | RuntimeException | Error e) {
            redis.failed(e);
            throw e;
        }
    }
}
