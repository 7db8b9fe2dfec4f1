package io.cadre.state.it;

import static io.cadre.state.it.StateClient.BOOT;
import static io.cadre.state.it.StateClient.cookie;
import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.testing.Await;
import io.cadre.state.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis paused (SIGSTOP: connections open, nothing answers) and killed under load: requests that
 * need state answer 503 within the deadline and never hang, requests that do not go on at 100%
 * success, a fail-open limit lets requests through, and state comes back by itself once Redis does.
 */
class RedisOutageIT {
    static final int DEADLINE_MS = 500;
    /** How long a request may take at most while Redis is away: the deadline and generous room for a loaded 2-core runner. */
    static final long NO_HANG_MS = DEADLINE_MS + 2_500;

    /** One answered request: the route, when it was sent, how long it took, its status. */
    record Sample(String path, long sentNanos, long tookMillis, int status) {
    }

    @Test
    @Timeout(300)
    void stateFailsFastAndComesBackWhileStatelessRoutesNeverFail() throws Exception {
        try (RedisServer redis = TestRedis.server();
                ClusterProcess cluster = StateClient.start(2, redis, Map.of("TEST_DEADLINE_MS", Integer.toString(DEADLINE_MS)))) {
            int port = cluster.awaitListening(BOOT);
            ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicBoolean running = new AtomicBoolean(true);
            long warmFrom;
            List<String> paths = List.of("/plain", "/plain", "/count", "/count", "/limited-open", "/limited");
            try (ExecutorService clients = Executors.newFixedThreadPool(paths.size())) {
                List<Future<?>> done = new ArrayList<>();
                long warm;
                try {
                    for (String path : paths) {
                        done.add(clients.submit(() -> load(port, path, running, samples, errors)));
                    }
                    // the first requests of a fresh worker may wait for the Redis client itself (made just
                    // after ready, its classes loaded then: seconds on a busy 2-core runner); not a hang on Redis
                    Sample first = awaitSample(samples, s -> s.path().equals("/count") && s.status() == 200, "a first counted request");
                    warm = first.sentNanos() + ms(first.tookMillis());

                    // paused: nothing answers, connections stay open
                    redis.pause();
                    long paused = System.nanoTime();
                    awaitSample(samples, s -> s.path().equals("/count") && s.sentNanos() > paused && s.status() == 503,
                            "a 503 from /count while Redis is paused");
                    awaitSample(samples, s -> s.path().equals("/limited-open") && s.sentNanos() > paused + ms(DEADLINE_MS)
                            && s.status() == 200, "a fail-open limit letting a request through while Redis is paused");
                    redis.resume();
                    long resumed = System.nanoTime();
                    awaitSample(samples, s -> s.path().equals("/count") && s.sentNanos() > resumed && s.status() == 200,
                            "/count working again after the pause");

                    // killed: connections refused, then it comes back empty (no persistence)
                    redis.kill();
                    long killed = System.nanoTime();
                    awaitSample(samples, s -> s.path().equals("/count") && s.sentNanos() > killed && s.status() == 503,
                            "a 503 from /count while Redis is down");
                    awaitSample(samples, s -> s.path().equals("/limited") && s.sentNanos() > killed && s.status() == 503,
                            "a fail-closed limit refusing while Redis is down");
                    redis.restart();
                    long restarted = System.nanoTime();
                    Sample back = awaitSample(samples, s -> s.path().equals("/count") && s.sentNanos() > restarted && s.status() == 200,
                            "/count working again after the restart");
                    long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(back.sentNanos() + ms(back.tookMillis()) - restarted);
                    System.out.printf("RedisOutageIT: state answered again %d ms after redis-server was restarted%n", recoveryMillis);
                    assertThat(recoveryMillis).as("recovery after the restart").isLessThanOrEqualTo(5_000);
                } finally {
                    // on a failed assertion too: the load loops end, so the executor closes and the cluster stops
                    running.set(false);
                }
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
                warmFrom = warm;
            }
            assertThat(errors).as("transport errors").isEmpty();
            assertThat(samples).filteredOn(s -> s.path().equals("/plain")).hasSizeGreaterThan(50)
                    .allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
            assertThat(samples).filteredOn(s -> s.path().equals("/limited-open"))
                    .allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
            assertThat(samples).filteredOn(s -> s.path().equals("/count"))
                    .allSatisfy(s -> assertThat(s.status()).isIn(200, 503));
            assertThat(samples).filteredOn(s -> s.path().equals("/limited")) // its budget of 100 a minute runs out: 429
                    .allSatisfy(s -> assertThat(s.status()).isIn(200, 429, 503));
            assertThat(samples).as("no request hangs on Redis").filteredOn(s -> s.sentNanos() > warmFrom).hasSizeGreaterThan(50)
                    .allSatisfy(s -> assertThat(s.tookMillis()).isLessThan(NO_HANG_MS));
            assertThat(cluster.stderr()).as("the outage is logged").anyMatch(l -> l.contains("WARN") && l.contains("RedisConnection"));
        }
    }

    private static Void load(int port, String path, AtomicBoolean running, ConcurrentLinkedQueue<Sample> samples,
            ConcurrentLinkedQueue<Throwable> errors) throws Exception {
        String sid = null;
        RawHttp.Connection c = new RawHttp.Connection(port, 30_000);
        try {
            while (running.get()) {
                long sent = System.nanoTime();
                RawHttp.Response r;
                try {
                    Map<String, String> headers = new java.util.HashMap<>(sid == null ? Map.of() : cookie(sid));
                    headers.put("X-Client", "outage");
                    r = c.send("GET", path, null, false, headers);
                } catch (java.io.IOException e) {
                    errors.add(e);
                    c.close();
                    c = new RawHttp.Connection(port, 30_000);
                    continue;
                }
                samples.add(new Sample(path, sent, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent), r.status()));
                String next = StateClient.sid(r);
                if (next != null) {
                    sid = next;
                }
                Thread.sleep(5); // a client's think time: six clients, not six busy loops on two cores
            }
        } finally {
            c.close();
        }
        return null;
    }

    private static Sample awaitSample(ConcurrentLinkedQueue<Sample> samples, Predicate<Sample> match, String what) {
        Sample[] found = new Sample[1];
        Await.until(Duration.ofSeconds(30), () -> {
            for (Sample s : samples) {
                if (match.test(s)) {
                    found[0] = s;
                    return true;
                }
            }
            return false;
        }, what);
        return found[0];
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
