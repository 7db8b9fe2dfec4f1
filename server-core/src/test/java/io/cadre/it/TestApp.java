package io.cadre.it;

import io.cadre.App;
import io.cadre.Cadre;
import io.cadre.CadreConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The app the integration tests run as a real cluster. Its behaviour comes from the environment:
 * <ul>
 *   <li>{@code TEST_FAIL_WORKER=N}: worker N appends the time to {@code TEST_FORK_LOG} and exits 1
 *       at boot, every time it is forked;</li>
 *   <li>{@code TEST_FAIL_CHECK=1}: a startup check fails;</li>
 *   <li>{@code TEST_BREAKER=K,W}: breaker of K crashes in W ms;</li>
 *   <li>{@code TEST_FAIL_GENERATION=G}: workers of generation G and later fail a startup check
 *       (a bad deploy for rolling restarts);</li>
 *   <li>{@code TEST_SPIN=1}: {@code /spin} loops forever on its virtual thread (a hung worker);</li>
 * </ul>
 * Messaging: a worker prints every message it gets; the primary prints every message it gets,
 * answers the sender, and broadcasts when asked to.
 */
public final class TestApp {
    private static final java.util.List<byte[]> HOARD = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What {@link Recorder} saw, in order: "startWorker", then "workerReady served=<status of a GET to this worker>". */
    private static final java.util.List<String> EXTENSION_EVENTS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** An extension that records its calls; {@code workerReady} asks the worker itself for {@code /whoami}. */
    private static final class Recorder implements io.cadre.Extension {
        private volatile int port;

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public void startWorker(io.cadre.ExtensionContext context) {
            port = Integer.parseInt(context.environment().get("CADRE_BIND_PORT"));
            EXTENSION_EVENTS.add("startWorker");
        }

        @Override
        public void workerReady() {
            Thread.ofVirtual().start(() -> { // must not block the worker's boot thread
                String status;
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    s.setSoTimeout(5_000);
                    s.getOutputStream().write("GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII).substring(9);
                } catch (IOException | RuntimeException e) {
                    status = e.toString();
                }
                EXTENSION_EVENTS.add("workerReady served=" + status);
            });
        }
    }

    private TestApp() {
    }

    public static void main(String[] args) throws IOException {
        String failing = System.getenv("TEST_FAIL_WORKER");
        if (failing != null && failing.equals(System.getenv("CADRE_WORKER_ID"))) {
            Files.writeString(Path.of(System.getenv("TEST_FORK_LOG")), System.currentTimeMillis() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.exit(1);
        }
        Cadre.run(app(), args);
    }

    static App app() {
        CadreConfig.Builder config = CadreConfig.builder();
        String breaker = System.getenv("TEST_BREAKER");
        if (breaker != null) {
            String[] kw = breaker.split(",");
            config.supervision(CadreConfig.Supervision.DEFAULTS.withBreaker(Integer.parseInt(kw[0]), Long.parseLong(kw[1])));
        }
        String ioThreads = System.getenv("TEST_IO_THREADS");
        if (ioThreads != null) {
            config.http(CadreConfig.HttpLimits.DEFAULTS.withThreads(Integer.parseInt(ioThreads), CadreConfig.HttpLimits.DEFAULTS.backlog()));
        }
        App.Builder app = App.builder()
                .config(config.build())
                .extension(new Recorder())
                .get("/extension-events", req -> Map.of("pid", req.worker().pid(), "events", EXTENSION_EVENTS))
                .get("/whoami", req -> Map.of("worker", req.worker().id(), "pid", req.worker().pid(),
                        "generation", req.worker().generation()))
                .get("/sleep", req -> {
                    Thread.sleep(Long.parseLong(req.query("ms")));
                    return "slept " + req.query("ms");
                })
                .get("/send", req -> {
                    boolean all = "true".equals(req.query("broadcast"));
                    return req.worker().send(Map.of("text", req.query("text"), "broadcast", all)) ? "sent" : "not sent";
                })
                .post("/echo", req -> req.bodyText())
                .get("/spin", req -> {
                    if (!"1".equals(System.getenv("TEST_SPIN"))) {
                        return "TEST_SPIN is off";
                    }
                    long x = 0;
                    while (x >= 0) { // never ends, never yields: it keeps a carrier thread
                        x++;
                    }
                    return "unreachable";
                })
                .get("/spin-io", io.cadre.ExecutionModel.IO, req -> { // the same on an IO thread: a @NonBlocking route that loops
                    if (!"1".equals(System.getenv("TEST_SPIN"))) {
                        return "TEST_SPIN is off";
                    }
                    long x = 0;
                    while (x >= 0) {
                        x++;
                    }
                    return "unreachable";
                })
                .get("/grow", req -> {
                    int mb = Integer.parseInt(req.query("mb"));
                    for (int i = 0; i < mb; i++) {
                        byte[] block = new byte[1 << 20];
                        java.util.Arrays.fill(block, (byte) 1); // touched: resident
                        HOARD.add(block);
                    }
                    return "holding " + HOARD.size() + " MB";
                })
                .get("/fail", req -> {
                    throw new IllegalStateException("boom");
                })
                .onWorker(worker -> worker.onMessage(m -> System.out.println("worker " + worker.id() + " got " + m)))
                .onPrimary(primary -> holdIfAsked())
                .onWorker(worker -> hangOnExitIfAsked())
                .onPrimary(primary -> primary.onMessage((id, m) -> {
                    System.out.println("primary got " + m + " from worker " + id);
                    String text = m.json().path("text").asText();
                    if (m.json().path("broadcast").asBoolean()) {
                        primary.broadcast(Map.of("all", text));
                    } else {
                        primary.send(id, Map.of("reply", text));
                    }
                }));
        String failGeneration = System.getenv("TEST_FAIL_GENERATION");
        if (failGeneration != null && System.getenv("CADRE_WORKER_GENERATION") != null
                && Integer.parseInt(System.getenv("CADRE_WORKER_GENERATION")) >= Integer.parseInt(failGeneration)) {
            app.startupCheck("deploy", () -> {
                throw new IllegalStateException("generation " + System.getenv("CADRE_WORKER_GENERATION") + " is a bad deploy");
            });
        }
        if ("1".equals(System.getenv("TEST_FAIL_CHECK"))) {
            app.startupCheck("database", () -> {
                throw new IllegalStateException("DATABASE_URL is not set");
            });
        }
        String checkHold = System.getenv("TEST_CHECK_HOLD");
        if (checkHold != null) { // a startup check that takes 30 s, after writing DIR/checking
            app.startupCheck("slow", () -> {
                Files.writeString(Path.of(checkHold, "checking"), ProcessHandle.current().pid() + "");
                Thread.sleep(30_000);
            });
        }
        return app.build();
    }

    /**
     * With TEST_PRIMARY_HOLD=DIR: the primary's hook writes DIR/held and waits (at most 60 s) for
     * DIR/go, so that a test can stop the primary while its hooks run.
     */
    static void holdIfAsked() {
        String dir = System.getenv("TEST_PRIMARY_HOLD");
        if (dir == null) {
            return;
        }
        try {
            Files.writeString(Path.of(dir, "held"), "1");
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(Path.of(dir, "go")) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** With TEST_WORKER_EXIT_HOOK_MS=N: a worker's JVM shutdown hook that takes N ms, as a slow executor close does. */
    static void hangOnExitIfAsked() {
        String millis = System.getenv("TEST_WORKER_EXIT_HOOK_MS");
        if (millis == null) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(Long.parseLong(millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-slow-exit-hook"));
    }
}
