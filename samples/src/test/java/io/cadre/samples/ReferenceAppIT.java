package io.cadre.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The reference app's contract (docs/architecture.md), run from the packaged jar as users run it. */
@Timeout(120)
class ReferenceAppIT {
    static final Duration BOOT = Duration.ofSeconds(60);
    static final Path JAR = Path.of(System.getProperty("cadre.samples.jar", "target/cadre-samples.jar"));
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path runtimeDir;
    static ClusterProcess app;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        app = ClusterProcess.startJar(JAR, List.of("--port", "0", "--workers", "2"), Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString()));
        port = app.awaitListening(BOOT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            AccountsIT.stopWithRedis(app); // a graceful stop first: the embedded redis-server and isolated children go with it
        }
    }

    @Test
    void itAnnouncesItselfInOneLineWhenEveryWorkerIsReady() {
        // the line may end with what the extensions started, e.g. "; state: embedded redis-server 7.0.15 on ..."
        String line = "cadre listening on http://0.0.0.0:" + port + " (2 workers)";
        assertThat(app.stdout()).filteredOn(l -> l.startsWith("cadre listening on")).singleElement()
                .satisfies(l -> assertThat(l.equals(line) || l.startsWith(line + "; ")).as(l).isTrue());
    }

    @Test
    void thePrimaryLogsEachRouteWithItsExecutionModelOnce() {
        assertThat(app.stderr()).filteredOn(l -> l.contains("route GET /compute -> ReferenceRoutes.compute(long) on COMPUTE")).hasSize(1);
        assertThat(app.stderr()).filteredOn(l -> l.contains("route GET /plaintext -> ReferenceRoutes.plaintext() on IO")).hasSize(1);
        assertThat(app.stderr()).filteredOn(l -> l.contains("route GET /io -> ReferenceRoutes.io(long) on WORKER")).hasSize(1);
        assertThat(app.stderr()).filteredOn(l -> l.contains("route GET /session -> ReferenceRoutes.session(Session, Worker) on WORKER"))
                .hasSize(1);
    }

    @Test
    void plaintextAndJsonAnswerTheirFixedBodies() throws Exception {
        RawHttp.Response text = RawHttp.get(port, "/plaintext");
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.body()).isEqualTo("Hello, World!");
        assertThat(text.header("content-type")).startsWith("text/plain");
        RawHttp.Response json = RawHttp.get(port, "/json");
        assertThat(json.header("content-type")).isEqualTo("application/json");
        assertThat(JSON.readTree(json.body())).isEqualTo(JSON.readTree("{\"message\":\"Hello, World!\"}"));
    }

    @Test
    void whoamiNamesTheWorkerAndItsPidAndBothWorkersServe() throws Exception {
        Set<Integer> workers = new HashSet<>();
        for (int i = 0; i < 100 && workers.size() < 2; i++) {
            JsonNode who = JSON.readTree(RawHttp.get(port, "/whoami").body());
            assertThat(who.get("pid").asLong()).isNotEqualTo(app.pid());
            workers.add(who.get("worker").asInt());
        }
        assertThat(workers).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void sessionCountsOneRequestAfterAnotherWhicheverWorkerServesIt() throws Exception {
        RawHttp.Response first = RawHttp.get(port, "/session");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("set-cookie")).startsWith("sid=").contains("HttpOnly");
        String cookie = first.header("set-cookie").split(";")[0];
        JsonNode body = JSON.readTree(first.body());
        assertThat(body.get("count").asLong()).isEqualTo(1);
        List<Long> counts = new ArrayList<>(List.of(1L));
        Set<Long> pids = new HashSet<>(Set.of(body.get("pid").asLong()));
        // a fresh connection per request, so the kernel spreads them over both workers
        for (int i = 0; i < 200 && (pids.size() < 2 || counts.size() < 10); i++) {
            RawHttp.Response next;
            try (RawHttp.Connection c = new RawHttp.Connection(port, 10_000)) {
                next = c.send("GET", "/session", null, true, Map.of("Cookie", cookie));
            }
            assertThat(next.status()).as(next.body()).isEqualTo(200);
            assertThat(next.header("set-cookie")).as("a known session keeps its id").isNull();
            JsonNode n = JSON.readTree(next.body());
            counts.add(n.get("count").asLong());
            pids.add(n.get("pid").asLong());
        }
        assertThat(counts).as("one count per request, in order").isEqualTo(
                java.util.stream.LongStream.rangeClosed(1, counts.size()).boxed().toList());
        assertThat(pids).as("both workers served the session").hasSize(2).doesNotContain(app.pid());
        assertThat(JSON.readTree(RawHttp.get(port, "/session").body()).get("count").asLong())
                .as("without the cookie, a new session").isEqualTo(1);
    }

    @Test
    void ioWaitsAndComputeBurnsOnTheComputePool() throws Exception {
        RawHttp.Response io = RawHttp.get(port, "/io?ms=20");
        assertThat(io.status()).isEqualTo(200);
        assertThat(io.body()).isEqualTo("waited 20 ms");
        JsonNode burned = JSON.readTree(RawHttp.get(port, "/compute?ms=20").body());
        assertThat(burned.get("ms").asLong()).isEqualTo(20);
        assertThat(burned.get("thread").asText()).startsWith("cadre-compute-");
        assertThat(RawHttp.get(port, "/compute?ms=-1").status()).isEqualTo(400);
        assertThat(RawHttp.get(port, "/io?ms=soon").status()).isEqualTo(400);
    }

    @Test
    void healthEndpointsAnswer() throws Exception {
        assertThat(RawHttp.get(port, "/health/live").status()).isEqualTo(200);
        assertThat(RawHttp.get(port, "/health/ready").status()).isEqualTo(200);
    }

    @Test
    void everyLineAWorkerPrintsNamesItsWorker() {
        List<String> workerLines = app.stderr().stream().filter(l -> l.contains("WorkerRuntime")).toList();
        assertThat(workerLines).isNotEmpty().allMatch(l -> l.matches("\\[worker [12]\\] .*"));
    }

    @Test
    void helpAndBadArgumentsAnswerWithoutStartingAnything() throws Exception {
        try (ClusterProcess help = ClusterProcess.startJar(JAR, List.of("--help"), Map.of())) {
            assertThat(help.awaitExit(BOOT)).isZero();
            assertThat(String.join("\n", help.stdout())).contains("--workers N");
        }
        try (ClusterProcess bad = ClusterProcess.startJar(JAR, List.of("--workers", "many"), Map.of())) {
            assertThat(bad.awaitExit(BOOT)).isEqualTo(2);
            assertThat(bad.stderr()).containsExactly("cadre: invalid --workers 'many': expected a whole number from 1 to 1024");
        }
    }

    @Test
    void anIsolatedJobThatCrashesAnswers502WhileTheWorkerGoesOnServing() throws Exception {
        try (RawHttp.Connection c = new RawHttp.Connection(port, 60_000)) { // one connection: one worker
            long worker = JSON.readTree(c.get("/whoami").body()).get("pid").asLong();
            RawHttp.Response ok = c.get("/isolated?ms=20");
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            JsonNode done = JSON.readTree(ok.body());
            assertThat(done.get("workerPid").asLong()).isEqualTo(worker);
            long child = done.get("childPid").asLong();
            assertThat(child).isNotEqualTo(worker);

            RawHttp.Response crashed = c.get("/isolated?ms=10&crash=true");
            assertThat(crashed.status()).isEqualTo(502);
            assertThat(crashed.header("Content-Type")).startsWith("application/problem+json");
            JsonNode problem = JSON.readTree(crashed.body());
            assertThat(problem.get("status").asInt()).isEqualTo(502);
            assertThat(problem.get("detail").asText()).contains("exited with status 70");

            assertThat(JSON.readTree(c.get("/whoami").body()).get("pid").asLong()).as("the same worker, alive").isEqualTo(worker);
            RawHttp.Response again = c.get("/isolated?ms=1");
            assertThat(again.status()).isEqualTo(200);
            assertThat(JSON.readTree(again.body()).get("childPid").asLong()).as("a new child").isNotEqualTo(child);
            assertThat(c.get("/isolated?ms=-1").status()).isEqualTo(400);
        }
    }
}
