package io.cadre.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cadre.internal.util.Json;
import java.io.DataOutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One two-worker cluster, shared by tests that do not stop it. */
@Timeout(120)
class SharedPortIT {
    static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    static Path runtimeDir;
    static ClusterProcess cluster;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        cluster = ClusterProcess.start(TestApp.class, List.of("--port", "0", "--workers", "2"),
                Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString()));
        port = cluster.awaitListening(BOOT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void twoHundredRequestsOnFreshConnectionsReachBothWorkers() throws Exception {
        Set<Long> pids = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            RawHttp.Response r = RawHttp.get(port, "/whoami");
            assertThat(r.status()).isEqualTo(200);
            JsonNode who = Json.MAPPER.readTree(r.body());
            pids.add(who.get("pid").asLong());
            ids.add(who.get("worker").asInt());
        }
        assertThat(ids).containsExactlyInAnyOrder(1, 2);
        assertThat(pids).hasSize(2).doesNotContain(cluster.pid());
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)).contains(cluster.pid());
        }
    }

    @Test
    void everyWorkerCallsItsExtensionsWorkerReadyOnceItServes() throws Exception {
        java.util.Map<Long, java.util.List<String>> seen = new java.util.HashMap<>();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !(seen.size() == 2 && seen.values().stream().allMatch(e -> e.size() == 2))) {
            JsonNode answer = Json.MAPPER.readTree(RawHttp.get(port, "/extension-events").body());
            java.util.List<String> events = new java.util.ArrayList<>();
            answer.get("events").forEach(e -> events.add(e.asText()));
            seen.put(answer.get("pid").asLong(), events);
        }
        assertThat(seen).hasSize(2);
        // workerReady came after startWorker, once, and the worker answered its own request at that point
        assertThat(seen.values()).allSatisfy(events -> assertThat(events).containsExactly("startWorker", "workerReady served=200"));
    }

    @Test
    void healthEndpointsAnswerOnEveryWorker() throws Exception {
        RawHttp.Response live = RawHttp.get(port, "/health/live");
        RawHttp.Response ready = RawHttp.get(port, "/health/ready");
        assertThat(live.status()).isEqualTo(200);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(ready.body()).get("status").asText()).isEqualTo("UP");
        assertThat(Json.MAPPER.readTree(ready.body()).get("cluster").asText()).isEqualTo("OK");
    }

    @Test
    void aSecondInstanceOnTheSamePortIsRefusedAndTheFirstKeepsServing() throws Exception {
        try (ClusterProcess second = ClusterProcess.start(TestApp.class, List.of("--port", Integer.toString(port), "--workers", "1"),
                Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString()))) {
            assertThat(second.awaitExit(BOOT)).isEqualTo(3);
            assertThat(second.stderr()).anySatisfy(line -> assertThat(line)
                    .contains("port " + port + " is already served by a running Cadre cluster (primary pid " + cluster.pid() + ")"));
            assertNoStackTrace(second);
        }
        assertThat(RawHttp.get(port, "/whoami").status()).isEqualTo(200);
    }

    @Test
    void aSecondInstanceWithAnotherRuntimeDirFindsTheClusterThroughProc(@TempDir Path otherDir) throws Exception {
        try (ClusterProcess second = ClusterProcess.start(TestApp.class, List.of("--port", Integer.toString(port), "--workers", "1"),
                Map.of("CADRE_RUNTIME_DIR", otherDir.toString()))) {
            assertThat(second.awaitExit(BOOT)).isEqualTo(3);
            assertThat(String.join("\n", second.stderr()))
                    .contains("already served by a running Cadre cluster (primary pid " + cluster.pid() + ")");
            assertNoStackTrace(second);
        }
        assertThat(RawHttp.get(port, "/whoami").status()).isEqualTo(200);
    }

    @Test
    void aPortHeldByAnotherProgramIsRefusedWithOneLine() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("0.0.0.0", 0));
            try (ClusterProcess refused = ClusterProcess.start(TestApp.class,
                    List.of("--port", Integer.toString(other.getLocalPort()), "--workers", "1"),
                    Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString()))) {
                assertThat(refused.awaitExit(BOOT)).isEqualTo(3);
                assertThat(refused.stderr()).containsExactly(
                        "cadre: port " + other.getLocalPort() + " on 0.0.0.0 is in use by another program; choose another --port");
            }
        }
    }

    @Test
    void messagesGoFromWorkerToPrimaryAndBackAndAreBroadcast() throws Exception {
        RawHttp.Response sent = RawHttp.get(port, "/send?text=ping");
        assertThat(sent.body()).isEqualTo("sent");
        cluster.awaitStdout(l -> l.matches("primary got \\{\"(text|broadcast)\".*\"ping\".* from worker [12]"), BOOT);
        String reply = cluster.awaitStdout(l -> l.contains("got {\"reply\":\"ping\"}"), BOOT);
        assertThat(reply).matches("\\[worker ([12])\\] worker \\1 got \\{\"reply\":\"ping\"\\}");

        assertThat(RawHttp.get(port, "/send?text=hello-all&broadcast=true").body()).isEqualTo("sent");
        cluster.awaitStdout(l -> l.equals("[worker 1] worker 1 got {\"all\":\"hello-all\"}"), BOOT);
        cluster.awaitStdout(l -> l.equals("[worker 2] worker 2 got {\"all\":\"hello-all\"}"), BOOT);
    }

    @Test
    void theIpcSocketLivesInAPrivateDirectoryAndAMalformedFrameOnlyDropsItsConnection() throws Exception {
        Path dir = runtimeDir.resolve("primary-" + cluster.pid());
        Path socket = dir.resolve("ipc.sock");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runtimeDir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");

        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
            out.writeInt(-5); // a length no frame has
            out.flush();
            assertThat(readBounded(channel)).as("the primary closes the connection\n%s", cluster.output()).isEqualTo(-1);
        }
        cluster.awaitStderr(l -> l.contains("malformed IPC frame") && l.contains("dropping the connection"), BOOT);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(io.cadre.internal.ipc.FrameCodec.encode(new io.cadre.internal.ipc.Payloads.Hello(1, 1, 1, "forged").frame()));
            assertThat(readBounded(channel)).as("the primary closes the connection\n%s", cluster.output()).isEqualTo(-1);
        }
        cluster.awaitStderr(l -> l.contains("HELLO with an unknown token"), BOOT);
        assertThat(cluster.process().isAlive()).isTrue();
        assertThat(RawHttp.get(port, "/whoami").status()).isEqualTo(200);
        assertThat(cluster.liveProcesses()).hasSize(3);
    }

    /**
     * One blocking read of at most a byte, within 5 s (a SocketChannel read has no timeout of its
     * own): the channel is closed when the time is up, which ends the read, and the test fails.
     */
    static int readBounded(SocketChannel channel) throws Exception {
        java.util.concurrent.FutureTask<Integer> read = new java.util.concurrent.FutureTask<>(() -> channel.read(java.nio.ByteBuffer.allocate(1)));
        Thread reader = Thread.ofVirtual().name("shared-port-it-read").start(read);
        try {
            return read.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            channel.close(); // wakes the reader with AsynchronousCloseException
            reader.join(java.time.Duration.ofSeconds(5));
            throw new AssertionError("the primary kept the connection open for 5 s");
        }
    }

    static void assertNoStackTrace(ClusterProcess p) {
        assertThat(p.stderr()).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in thread"));
        assertThat(p.stderr()).hasSize(1);
    }

    static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (BindException e) {
            return false;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
