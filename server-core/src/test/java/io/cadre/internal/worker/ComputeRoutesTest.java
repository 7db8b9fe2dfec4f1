package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.CpuBound;
import io.cadre.GET;
import io.cadre.NonBlocking;
import io.cadre.QueryParam;
import io.cadre.it.RawHttp;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** @CpuBound routes on the compute pool: overload answers 503 with Retry-After; a gone client's task never runs. */
class ComputeRoutesTest {
    static final AtomicInteger STARTED = new AtomicInteger();
    static volatile CountDownLatch gate = new CountDownLatch(0);

    public static final class Routes {
        @GET("/compute")
        @CpuBound(queue = 4)
        public String compute(@QueryParam("ms") long ms) {
            long end = System.nanoTime() + ms * 1_000_000;
            long x = 1;
            while (System.nanoTime() < end) {
                x = x * 31 + 7;
            }
            return "burned " + ms + (x == 0 ? "" : "");
        }

        @GET("/gated")
        @CpuBound(queue = 4)
        public String gated() throws InterruptedException {
            STARTED.incrementAndGet();
            gate.await();
            return "through";
        }

        @GET("/plaintext")
        @NonBlocking
        public String plaintext() {
            return "Hello, World!";
        }
    }

    static TestServer server() throws Exception {
        return new TestServer(App.builder().routes(new Routes()).build(), CadreConfig.builder().workers(1)
                .compute(CadreConfig.Compute.DEFAULTS.withThreads(2).withNiceness(0))
                .operations(CadreConfig.Operations.DEFAULTS.withAdminPort(0)).build()); // metrics on
    }

    @org.junit.jupiter.api.AfterEach
    void openTheGate() {
        gate.countDown(); // a failed test must not leave compute threads waiting
    }

    @Test
    void twentyConcurrentRequestsOnAPoolOfTwoWithAQueueOfFourGetSixAnswersAndFourteen503s() throws Exception {
        try (TestServer server = server(); ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            gate = new CountDownLatch(1);
            STARTED.set(0);
            List<Future<RawHttp.Response>> responses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                responses.add(clients.submit(() -> RawHttp.request(server.port, "GET", "/gated", null, 30_000)));
            }
            // the excess is refused at once, while the first two hold both threads and four wait
            int refused = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (refused < 14 && System.nanoTime() < deadline) {
                refused = (int) responses.stream().filter(Future::isDone).count();
                Thread.sleep(5);
            }
            assertThat(refused).isEqualTo(14);
            // the two admitted tasks hold both threads, but need not have started when the refusals arrive
            awaitStarted(2);
            // IO routes keep answering while the pool is full
            for (int i = 0; i < 20; i++) {
                assertThat(RawHttp.get(server.port, "/plaintext").body()).isEqualTo("Hello, World!");
            }
            gate.countDown();
            int ok = 0;
            int unavailable = 0;
            for (Future<RawHttp.Response> f : responses) {
                RawHttp.Response r = f.get(30, TimeUnit.SECONDS);
                if (r.status() == 200) {
                    ok++;
                } else {
                    assertThat(r.status()).isEqualTo(503);
                    assertThat(Long.parseLong(r.header("retry-after"))).isPositive();
                    assertThat(r.header("content-type")).isEqualTo("application/problem+json");
                    unavailable++;
                }
            }
            assertThat(ok).isEqualTo(6);
            assertThat(unavailable).isEqualTo(14);
            assertThat(STARTED.get()).isEqualTo(6);
        }
    }

    @Test
    void realWorkOfTwoHundredMillisecondsOverloadsTheSameWay() throws Exception {
        try (TestServer server = server(); ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch ready = new CountDownLatch(20);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RawHttp.Response>> responses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                responses.add(clients.submit(() -> {
                    try (RawHttp.Connection c = new RawHttp.Connection(server.port, 30_000)) {
                        ready.countDown();
                        // bounded: if the test fails before the start signal, the executor's close does not wait forever
                        if (!go.await(30, TimeUnit.SECONDS)) {
                            throw new AssertionError("no start signal within 30 s");
                        }
                        return c.send("GET", "/compute?ms=200", null, true);
                    }
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).as("20 clients connected").isTrue();
            go.countDown();
            int ok = 0;
            for (Future<RawHttp.Response> f : responses) {
                RawHttp.Response r = f.get(30, TimeUnit.SECONDS);
                ok += r.status() == 200 ? 1 : 0;
                assertThat(r.status()).isIn(200, 503);
            }
            // 2 run and 4 wait at once; a request arriving after one of those finished may take its place
            assertThat(ok).isBetween(6, 20);
            assertThat(20 - ok).isPositive();
        }
    }

    @Test
    void aRequestWhoseClientHungUpWhileQueuedNeverRuns() throws Exception {
        try (TestServer server = server(); ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            gate = new CountDownLatch(1);
            STARTED.set(0);
            List<Future<RawHttp.Response>> holders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                holders.add(clients.submit(() -> RawHttp.request(server.port, "GET", "/gated", null, 30_000)));
            }
            awaitStarted(2);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port));
                OutputStream out = socket.getOutputStream();
                out.write("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                awaitInFlight(server, 3);
            } // hung up while queued
            gate.countDown();
            for (Future<RawHttp.Response> h : holders) {
                assertThat(h.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            // the queued request's exchange ends without its task ever starting
            awaitInFlight(server, 0);
            assertThat(STARTED.get()).isEqualTo(2);
            // and the metrics count it as the client's close (499), not as an answered 200
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            java.util.function.Supplier<Map<String, Double>> byStatus = () -> {
                Map<String, Double> counts = new java.util.TreeMap<>();
                for (io.cadre.internal.metrics.MetricsSnapshot.Sample c : server.server.metrics().snapshot(1, 1).counters()) {
                    if (c.name().equals("cadre_http_requests")) {
                        counts.merge(c.labels().get("status"), c.value(), Double::sum);
                    }
                }
                return counts;
            };
            while (!byStatus.get().containsKey("499") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(byStatus.get()).containsEntry("200", 2.0).containsEntry("499", 1.0);
        }
    }

    private static void awaitStarted(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (STARTED.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(STARTED.get()).isEqualTo(n);
    }

    private static void awaitInFlight(TestServer server, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.state.inFlight() != n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(server.state.inFlight()).isEqualTo(n);
    }
}
