package io.cadre.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accounts sample on two workers and the embedded Redis: sessions that follow the user from
 * worker to worker, a login that rotates the session id, logout, a rate limit and a lock.
 */
@Timeout(120)
class AccountsIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path runtimeDir;
    static ClusterProcess app;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        app = ClusterProcess.start(Accounts.class, List.of("--port", "0", "--workers", "2"),
                Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString()));
        port = app.awaitListening(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            List<String> leftAfterTerm = stopWithRedis(app);
            assertThat(leftAfterTerm).as("SIGTERM stops the workers and the embedded redis-server").isEmpty();
        }
    }

    /**
     * Stops a cluster that runs an embedded redis-server, leaving no process behind, and returns
     * what was still alive after a graceful stop (forcibly ended since): SIGTERM to the primary first
     * (it stops its extensions, the embedded Redis included), then {@link ClusterProcess#close()},
     * which kills whatever is left of the primary's process tree.
     */
    static List<String> stopWithRedis(ClusterProcess cluster) throws Exception {
        List<ProcessHandle> tree = cluster.process().toHandle().descendants().toList();
        List<String> left;
        try {
            if (cluster.process().isAlive()) {
                cluster.signal("TERM");
                cluster.process().waitFor(40, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            left = tree.stream().filter(ProcessHandle::isAlive)
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
            cluster.close();
            tree.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : tree) {
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        }
        return left;
    }

    /** One request on a fresh connection (so the kernel picks either worker), with the session cookie if given. */
    static RawHttp.Response send(String method, String path, String body, String cookie) throws Exception {
        Map<String, String> headers = new HashMap<>();
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        if (cookie != null) {
            headers.put("Cookie", cookie);
        }
        try (RawHttp.Connection c = new RawHttp.Connection(port, 10_000)) {
            return c.send(method, path, body, true, headers);
        }
    }

    /** The {@code name=value} part of the response's Set-Cookie. */
    static String cookie(RawHttp.Response response) {
        assertThat(response.header("set-cookie")).as("Set-Cookie").isNotNull().startsWith("sid=").contains("HttpOnly");
        return response.header("set-cookie").split(";")[0];
    }

    static RawHttp.Response login(String user, String cookie) throws Exception {
        RawHttp.Response r = send("POST", "/login", "{\"user\":\"" + user + "\"}", cookie);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("user").asText()).isEqualTo(user);
        return r;
    }

    @Test
    void theStartupLineNamesTheEmbeddedRedis() {
        assertThat(app.stdout()).anyMatch(l -> l.startsWith("cadre listening on http://0.0.0.0:" + port + " (2 workers)")
                && l.contains("state: embedded redis-server"));
        assertThat(app.process().toHandle().descendants())
                .as("the primary runs the redis-server")
                .anyMatch(p -> p.info().command().orElse("").contains("redis-server"));
    }

    @Test
    void loginRotatesTheSessionIdAndThePreLoginIdNoLongerGivesAccess() throws Exception {
        RawHttp.Response anonymous = send("GET", "/visits", null, null);
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(JSON.readTree(anonymous.body()).get("visits").asLong()).isEqualTo(1);
        String before = cookie(anonymous);

        String after = cookie(login("alice", before));
        assertThat(after).isNotEqualTo(before);

        RawHttp.Response me = send("GET", "/me", null, after);
        assertThat(me.status()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("user").asText()).isEqualTo("alice");
        RawHttp.Response stale = send("GET", "/me", null, before);
        assertThat(stale.status()).as("the pre-login id is dead").isEqualTo(401);
        assertThat(stale.header("content-type")).isEqualTo("application/problem+json");
        assertThat(JSON.readTree(send("GET", "/visits", null, after).body()).get("visits").asLong())
                .as("the new id keeps the session's attributes").isEqualTo(2);
    }

    @Test
    void meAnswersTheLoggedInUserOnEveryWorkerAndNobodyWithoutASession() throws Exception {
        RawHttp.Response nobody = send("GET", "/me", null, null);
        assertThat(nobody.status()).isEqualTo(401);
        assertThat(nobody.header("content-type")).isEqualTo("application/problem+json");
        assertThat(send("GET", "/me", null, "sid=AAAAAAAAAAAAAAAAAAAAAA").status()).as("an id never issued").isEqualTo(401);

        String cookie = cookie(login("bob", null));
        Set<Long> pids = new HashSet<>();
        for (int i = 0; i < 100 && pids.size() < 2; i++) {
            RawHttp.Response me = send("GET", "/me", null, cookie);
            assertThat(me.status()).as(me.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(me.body());
            assertThat(body.get("user").asText()).isEqualTo("bob");
            pids.add(body.get("pid").asLong());
        }
        assertThat(pids).as("both workers know the session").hasSize(2).doesNotContain(app.pid());
    }

    @Test
    void logoutEndsTheSessionAndClearsTheCookie() throws Exception {
        String cookie = cookie(login("carol", null));
        assertThat(send("GET", "/me", null, cookie).status()).isEqualTo(200);

        RawHttp.Response out = send("POST", "/logout", null, cookie);
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.header("set-cookie")).startsWith("sid=;").contains("Max-Age=0");
        assertThat(send("GET", "/me", null, cookie).status()).isEqualTo(401);
    }

    @Test
    void quoteAnswers429WithRetryAfterAndRateLimitHeadersAfterFiveCalls() throws Exception {
        for (int i = 1; i <= Accounts.QUOTES_PER_MINUTE; i++) {
            RawHttp.Response ok = send("GET", "/quote", null, null);
            assertThat(ok.status()).as("call %d: %s", i, ok.body()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).get("text").asText()).isNotBlank();
            assertThat(ok.header("ratelimit-limit")).isEqualTo("5");
            assertThat(ok.header("ratelimit-remaining")).isEqualTo(Integer.toString(Accounts.QUOTES_PER_MINUTE - i));
            assertThat(Long.parseLong(ok.header("ratelimit-reset"))).isBetween(1L, 60L);
        }
        RawHttp.Response refused = send("GET", "/quote", null, null);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
        assertThat(Long.parseLong(refused.header("retry-after"))).isBetween(1L, 60L);
        assertThat(refused.header("ratelimit-limit")).isEqualTo("5");
        assertThat(refused.header("ratelimit-remaining")).isEqualTo("0");
        assertThat(Long.parseLong(refused.header("ratelimit-reset"))).isBetween(1L, 60L);
    }

    /**
     * POST /counter, again (at most 5 times) while it answers 503: that is how the state module
     * answers when Redis could not be reached in time (seen here on a loaded machine, while a
     * worker's Redis connection pool grows in the first burst), and clients are meant to retry.
     * A 503 from taking the lock or reading the count changed nothing, so its retry cannot count
     * twice; only a write that timed out and still landed could, and the test would then fail on a
     * gap or a duplicate, as it should.
     */
    static RawHttp.Response postCounter() throws Exception {
        for (int attempt = 1; ; attempt++) {
            RawHttp.Response r = send("POST", "/counter", null, null);
            if (r.status() != 503 || attempt == 5) {
                return r;
            }
        }
    }

    @Test
    void theLockedCounterIsExactUnderConcurrentClientsOnBothWorkers() throws Exception {
        int clients = 6;
        int perClient = 15;
        List<Future<List<JsonNode>>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> {
                    List<JsonNode> answers = new ArrayList<>();
                    for (int i = 0; i < perClient; i++) {
                        RawHttp.Response r = postCounter();
                        assertThat(r.status()).as(() -> r.body() + "\n" + app.output()).isEqualTo(200);
                        answers.add(JSON.readTree(r.body()));
                    }
                    return answers;
                }));
            }
            List<Long> values = new ArrayList<>();
            Set<Long> pids = new HashSet<>();
            for (Future<List<JsonNode>> f : results) {
                for (JsonNode answer : f.get(90, TimeUnit.SECONDS)) {
                    values.add(answer.get("value").asLong());
                    pids.add(answer.get("pid").asLong());
                }
            }
            assertThat(values).as("every increment seen once: no lost update, no duplicate")
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, (long) clients * perClient).boxed().toList());
            assertThat(pids).as("both workers incremented").hasSize(2);
        }
        RawHttp.Response last = postCounter();
        assertThat(JSON.readTree(last.body()).get("value").asLong()).isEqualTo((long) clients * perClient + 1);
    }
}
