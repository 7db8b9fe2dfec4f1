package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.CadreConfig;
import io.cadre.ExecutionModel;
import io.cadre.Response;
import io.cadre.it.RawHttp;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One worker's HTTP server in this JVM: routing, the return-value mapping, errors and limits. */
class HttpServerTest {
    static final CadreConfig CONFIG = CadreConfig.builder().workers(1)
            .http(CadreConfig.HttpLimits.DEFAULTS.withSizes(16_384, 1_024).withThreads(1, 128)).build();
    static ExecutorService threads;
    static HttpServer server;
    static int port;

    record Item(String name, int count) {
    }

    @BeforeAll
    static void start() throws Exception {
        threads = HttpServer.requestThreads();
        List<RouteSpec> routes = List.of(
                RouteSpec.of("GET", "/text", ExecutionModel.IO, req -> "plain"),
                RouteSpec.of("GET", "/json", ExecutionModel.WORKER, req -> new Item("a", 2)),
                RouteSpec.of("GET", "/list", ExecutionModel.WORKER, req -> List.of(1, 2)),
                RouteSpec.of("GET", "/none", ExecutionModel.WORKER, req -> null),
                RouteSpec.of("GET", "/custom", ExecutionModel.WORKER,
                        req -> Response.text("made").withStatus(201).withHeader("X-Made", "yes")),
                RouteSpec.of("GET", "/query", ExecutionModel.WORKER, req -> req.query("q") + "," + req.queryAll("q").size()),
                RouteSpec.of("GET", "/thread", ExecutionModel.WORKER,
                        req -> Thread.currentThread().isVirtual() + ":" + Thread.currentThread().getName()),
                RouteSpec.of("GET", "/iothread", ExecutionModel.IO, req -> Thread.currentThread().getName()),
                RouteSpec.of("POST", "/echo", ExecutionModel.WORKER, req -> req.bodyText()),
                RouteSpec.of("GET", "/boom", ExecutionModel.WORKER, req -> {
                    throw new IllegalStateException("secret detail");
                }),
                RouteSpec.of("GET", "/unserializable", ExecutionModel.WORKER, req -> new Object() {
                    @SuppressWarnings("unused")
                    public Object getSelf() {
                        throw new IllegalStateException("no");
                    }
                }));
        WorkerHandle worker = new WorkerHandle(1, 1, Map.of());
        RootHandler root = new RootHandler(routes, new ServerState(), threads, worker, () -> { });
        server = HttpServer.start(CONFIG, new InetSocketAddress("127.0.0.1", 0), root, threads);
        port = server.address().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(100);
        threads.shutdownNow();
    }

    @Test
    void returnValuesBecomeTextJsonOrNoContent() throws Exception {
        RawHttp.Response text = RawHttp.get(port, "/text");
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.header("content-type")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(text.body()).isEqualTo("plain");
        RawHttp.Response json = RawHttp.get(port, "/json");
        assertThat(json.header("content-type")).isEqualTo("application/json");
        assertThat(json.body()).isEqualTo("{\"name\":\"a\",\"count\":2}");
        assertThat(RawHttp.get(port, "/list").body()).isEqualTo("[1,2]");
        assertThat(RawHttp.get(port, "/none").status()).isEqualTo(204);
        RawHttp.Response custom = RawHttp.get(port, "/custom");
        assertThat(custom.status()).isEqualTo(201);
        assertThat(custom.header("x-made")).isEqualTo("yes");
        assertThat(RawHttp.get(port, "/query?q=1&q=2").body()).isEqualTo("1,2");
    }

    @Test
    void ordinaryRoutesRunOnVirtualThreadsAndIoRoutesOnTheIoThread() throws Exception {
        assertThat(RawHttp.get(port, "/thread").body()).startsWith("true:cadre-vt-");
        assertThat(RawHttp.get(port, "/iothread").body()).isEqualTo("cadre-io-1");
    }

    @Test
    void unknownPathsAndMethodsAreProblems() throws Exception {
        RawHttp.Response missing = RawHttp.get(port, "/missing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("content-type")).isEqualTo("application/problem+json");
        assertThat(missing.body()).contains("\"status\":404");
        RawHttp.Response wrong = RawHttp.request(port, "DELETE", "/json", null, 5_000);
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.header("allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void aFailingHandlerIsA500WithoutItsMessageOrStack() throws Exception {
        RawHttp.Response boom = RawHttp.get(port, "/boom");
        assertThat(boom.status()).isEqualTo(500);
        assertThat(boom.header("content-type")).isEqualTo("application/problem+json");
        assertThat(boom.body()).doesNotContain("secret").doesNotContain("at io.cadre").doesNotContain("Exception");
        RawHttp.Response unserializable = RawHttp.get(port, "/unserializable");
        assertThat(unserializable.status()).isEqualTo(500);
    }

    @Test
    void bodiesAreReadAndTheEntityLimitAnswers413() throws Exception {
        assertThat(RawHttp.request(port, "POST", "/echo", "{\"hi\":1}", 5_000).body()).isEqualTo("{\"hi\":1}");
        RawHttp.Response big = RawHttp.request(port, "POST", "/echo", "x".repeat(2_000), 5_000);
        assertThat(big.status()).isEqualTo(413);
    }

    @Test
    void healthAnswersOnTheIoThread() throws Exception {
        RawHttp.Response live = RawHttp.get(port, "/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.body()).contains("\"status\":\"UP\"");
        assertThat(RawHttp.get(port, "/health/ready").status()).isEqualTo(503); // never marked ready here
        assertThat(RawHttp.request(port, "POST", "/health/live", "", 5_000).status()).isEqualTo(405);
    }

    @Test
    void twoServersInOneProcessShareAPortThroughSoReusePort() throws Exception {
        ServerState state = new ServerState();
        RootHandler other = new RootHandler(List.of(RouteSpec.of("GET", "/text", ExecutionModel.IO, req -> "second")),
                state, threads, new WorkerHandle(2, 1, Map.of()), () -> { });
        HttpServer second = HttpServer.start(CONFIG, new InetSocketAddress("127.0.0.1", port), other, threads);
        try {
            Set<String> answers = new HashSet<>();
            for (int i = 0; i < 200 && answers.size() < 2; i++) {
                answers.add(RawHttp.get(port, "/text").body());
            }
            assertThat(answers).containsExactlyInAnyOrder("plain", "second");
        } finally {
            second.stop(100);
        }
    }
}
