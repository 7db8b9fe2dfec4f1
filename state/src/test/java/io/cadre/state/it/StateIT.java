package io.cadre.state.it;

import static io.cadre.state.it.StateClient.BOOT;
import static io.cadre.state.it.StateClient.cookie;
import static io.cadre.state.it.StateClient.json;
import static io.cadre.state.it.StateClient.pid;
import static io.cadre.state.it.StateClient.sid;
import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.testing.TestRedis;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions, rate limits and locks on a real cluster of worker JVMs and a real redis-server: the
 * state must be one state whichever worker serves a request.
 */
class StateIT {
    /**
     * A deadline for runs where timing is not what is tested: 16 clients, four JVMs and Redis on a
     * 2-core runner can starve one call past the default second, and a 503 there would say nothing
     * about sessions, limits or locks (RedisOutageIT tests the deadline).
     */
    static final Map<String, String> RELAXED = Map.of("TEST_DEADLINE_MS", "10000");

    static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = TestRedis.server();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void flush() throws Exception {
        StateClient.flushAll(redis);
    }

    @Test
    void aSessionCountsOnceAcrossTwoWorkersAndStatelessRoutesNeverTouchRedis() throws Exception {
        try (ClusterProcess cluster = StateClient.start(2, redis, RELAXED)) {
            int port = cluster.awaitListening(BOOT);
            assertThat(cluster.stdout()).anyMatch(l -> l.contains("; state: redis " + redis.uri()));
            Map<Long, RawHttp.Connection> pinned = StateClient.pinned(port, 2, 10_000);
            List<RawHttp.Connection> both = new ArrayList<>(pinned.values());
            try {
                RawHttp.Response first = both.get(0).get("/count");
                String id = sid(first);
                assertThat(id).isNotNull();
                assertThat(first.header("Set-Cookie")).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/");
                assertThat(json(first).get("count").asLong()).isEqualTo(1);
                Set<Long> servedBy = new HashSet<>(List.of(pid(first)));
                for (int i = 2; i <= 100; i++) {
                    RawHttp.Response r = both.get(i % 2 == 0 ? 1 : 0).send("GET", "/count", null, false, cookie(id));
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(json(r).get("count").asLong()).as("request %d", i).isEqualTo(i);
                    assertThat(r.header("Set-Cookie")).as("a known id is kept, not re-issued").isNull();
                    servedBy.add(pid(r));
                }
                assertThat(servedBy).containsExactlyInAnyOrderElementsOf(pinned.keySet());

                long before = StateClient.dataCalls(redis);
                for (int i = 0; i < 200; i++) {
                    RawHttp.Response r = both.get(i % 2).send("GET", "/plain", null, false, cookie(id));
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("Set-Cookie")).isNull();
                }
                assertThat(StateClient.dataCalls(redis) - before).as("Redis data commands for 200 stateless requests").isZero();
            } finally {
                StateClient.closeAll(both);
            }
        }
    }

    @Test
    void loginRotatesTheIdAndOnlyIssuedIdsAreAccepted() throws Exception {
        try (ClusterProcess cluster = StateClient.start(2, redis, RELAXED)) {
            int port = cluster.awaitListening(BOOT);
            String anonymous = sid(RawHttp.get(port, "/count"));
            assertThat(anonymous).hasSize(22);

            RawHttp.Response login = send(port, "POST", "/login?user=alice", anonymous);
            String loggedIn = sid(login);
            assertThat(loggedIn).isNotNull().isNotEqualTo(anonymous);
            assertThat(json(login).get("id").asText()).isEqualTo(loggedIn);

            for (int i = 0; i < 4; i++) { // new connections: both workers see it
                assertThat(json(send(port, "GET", "/me", loggedIn)).get("user").asText()).isEqualTo("alice");
            }
            RawHttp.Response old = send(port, "GET", "/me", anonymous);
            assertThat(json(old).get("user").asText()).as("the pre-login id is dead").isEmpty();
            assertThat(old.header("Set-Cookie")).as("a dead id that is only read is cleared, not replaced by an empty session")
                    .startsWith("sid=;").contains("Max-Age=0");
            RawHttp.Response nobody = RawHttp.get(port, "/me");
            assertThat(json(nobody).get("user").asText()).isEmpty();
            assertThat(nobody.header("Set-Cookie")).as("a read without a session stores none and sets no cookie").isNull();

            String planted = "AAAAAAAAAAAAAAAAAAAAAA"; // well-formed, never issued
            RawHttp.Response adopted = send(port, "GET", "/count", planted);
            assertThat(sid(adopted)).isNotNull().isNotEqualTo(planted);
            assertThat(json(adopted).get("count").asLong()).isEqualTo(1);

            for (int i = 1; i <= 4; i++) { // no session: counted by the client's IP, not a fresh budget each time
                assertThat(RawHttp.get(port, "/per-session").status()).as("request %d without a session", i).isEqualTo(i <= 3 ? 200 : 429);
            }
            for (int i = 1; i <= 4; i++) { // a live session has its own budget
                assertThat(send(port, "GET", "/per-session", loggedIn).status()).as("request %d of the session", i).isEqualTo(i <= 3 ? 200 : 429);
            }

            RawHttp.Response visit = RawHttp.get(port, "/async-visit"); // its session is written after a Redisson future completed
            assertThat(visit.status()).as(visit.body()).isEqualTo(200);
            String visitor = sid(visit);
            assertThat(visitor).isNotNull();
            assertThat(json(send(port, "GET", "/me", visitor)).get("user").asText()).isEqualTo("visitor");

            RawHttp.Response missing = RawHttp.get(port, "/limited-missing");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("RateLimit-Limit")).as("a limited route's error answer carries the limit too").isEqualTo("100");
            assertThat(missing.header("RateLimit-Remaining")).isEqualTo("99");

            for (int i = 1; i <= 3; i++) { // a limit on an IO-thread route counts off the IO thread
                RawHttp.Response r = RawHttp.get(port, "/io-limited");
                assertThat(r.status()).as("request %d", i).isEqualTo(i <= 2 ? 200 : 429);
                if (i <= 2) {
                    assertThat(json(r).get("virtual").asBoolean()).isTrue();
                }
            }

            RawHttp.Response logout = send(port, "POST", "/logout", loggedIn);
            assertThat(logout.status()).isEqualTo(204);
            assertThat(logout.header("Set-Cookie")).contains("sid=;").contains("Max-Age=0");
            assertThat(json(send(port, "GET", "/me", loggedIn)).get("user").asText()).isEmpty();

            RawHttp.Response behindTls = once(port, "GET", "/count", Map.of("X-Forwarded-Proto", "https"));
            assertThat(behindTls.header("Set-Cookie")).contains("; Secure");
        }
    }

    @Test
    void aLimitOfHundredLetsExactlyHundredOfThousandThroughOnFourWorkers() throws Exception {
        try (ClusterProcess cluster = StateClient.start(4, redis, RELAXED)) {
            int port = cluster.awaitListening(BOOT);
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Set<Long> servedBy = ConcurrentHashMap.newKeySet();
            List<RawHttp.Response> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    done.add(clients.submit(() -> {
                        RawHttp.Response r = once(port, "GET", "/limited", Map.of("X-Client", "one-client"));
                        statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
                        if (r.status() == 200) {
                            servedBy.add(pid(r));
                            assertThat(r.header("RateLimit-Limit")).isEqualTo("100");
                        } else if (refused.size() < 5) {
                            refused.add(r);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
            assertThat(statuses).as("statuses %s\n%s", statuses, cluster.output()).containsOnlyKeys(200, 429);
            assertThat(statuses.get(200).get()).isEqualTo(100);
            assertThat(statuses.get(429).get()).isEqualTo(900);
            assertThat(servedBy).as("workers that let requests through").hasSizeGreaterThanOrEqualTo(2);
            RawHttp.Response r = refused.get(0);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 60L);
            assertThat(r.header("RateLimit-Limit")).isEqualTo("100");
            assertThat(r.header("RateLimit-Remaining")).isEqualTo("0");
            assertThat(Long.parseLong(r.header("RateLimit-Reset"))).isBetween(1L, 60L);
            // another key has its own budget
            assertThat(once(port, "GET", "/limited", Map.of("X-Client", "other")).status()).isEqualTo(200);
        }
    }

    @Test
    void tenThousandLockedIncrementsInEachOfTwoWorkersMakeTwentyThousand() throws Exception {
        try (ClusterProcess cluster = StateClient.start(2, redis, RELAXED)) {
            int port = cluster.awaitListening(BOOT);
            // a bound, not a target: the 10,000 locked increments took 36 s on a loaded 2-core runner
            Map<Long, RawHttp.Connection> pinned = StateClient.pinned(port, 2, 120_000);
            try (ExecutorService clients = Executors.newFixedThreadPool(2)) {
                List<Future<Long>> done = new ArrayList<>();
                for (RawHttp.Connection c : pinned.values()) {
                    done.add(clients.submit(() -> {
                        RawHttp.Response r = c.get("/lock-count?n=10000&threads=2");
                        assertThat(r.status()).as(r.body()).isEqualTo(200);
                        return pid(r);
                    }));
                }
                Set<Long> pids = new HashSet<>();
                for (Future<Long> f : done) {
                    pids.add(f.get(150, TimeUnit.SECONDS));
                }
                assertThat(pids).hasSize(2);
            } finally {
                StateClient.closeAll(pinned.values());
            }
            assertThat(json(RawHttp.get(port, "/lock-value")).get("value").asLong()).isEqualTo(20_000);
            long first = json(RawHttp.get(port, "/fenced")).get("token").asLong();
            long second = json(RawHttp.get(port, "/fenced")).get("token").asLong();
            assertThat(second).isGreaterThan(first);
        }
    }

    static RawHttp.Response send(int port, String method, String path, String sid) throws Exception {
        return once(port, method, path, sid == null ? Map.of() : cookie(sid));
    }

    /** One request on a new connection, closed afterwards. */
    static RawHttp.Response once(int port, String method, String path, Map<String, String> headers) throws Exception {
        try (RawHttp.Connection c = new RawHttp.Connection(port, 30_000)) {
            return c.send(method, path, method.equals("POST") ? "" : null, true, headers);
        }
    }
}
