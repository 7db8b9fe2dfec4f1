package io.cadre.state.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.state.testing.Await;
import io.cadre.state.testing.TestRedis;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerTest {
    @AfterEach
    void leavesNoProcessBehind() {
        TestRedis.awaitNoDescendants(Duration.ofSeconds(5));
    }

    @Test
    void aServerAnswersPingWithItsPasswordAndRefusesOthers() throws Exception {
        try (RedisServer server = TestRedis.server()) {
            assertThat(server.host()).isEqualTo("127.0.0.1");
            assertThat(server.uri()).isEqualTo("redis://127.0.0.1:" + server.port());
            assertThat(server.version()).startsWith("7.");
            try (Resp resp = Resp.connect(server.host(), server.port(), server.password(), 2_000)) {
                assertThat(resp.call("PING")).isEqualTo("PONG");
            }
            try (Resp resp = Resp.connect(server.host(), server.port(), 2_000)) {
                assertThatThrownBy(() -> resp.call("PING")).isInstanceOfSatisfying(Resp.ErrorReply.class,
                        e -> assertThat(e.code()).isEqualTo("NOAUTH"));
                assertThatThrownBy(() -> resp.call("AUTH", "wrong")).isInstanceOfSatisfying(Resp.ErrorReply.class,
                        e -> assertThat(e.code()).isEqualTo("WRONGPASS"));
            }
        }
    }

    @Test
    void theRespClientMapsEveryReplyType() throws Exception {
        try (RedisServer server = TestRedis.server(); Resp resp = server.connect(2_000)) {
            assertThat(resp.call("SET", "k", "välue")).isEqualTo("OK");
            assertThat(resp.call("GET", "k")).isEqualTo("välue");
            assertThat(resp.call("GET", "missing")).isNull();
            assertThat(resp.call("INCR", "n")).isEqualTo(1L);
            assertThat(resp.call("RPUSH", "l", "a", "", "c")).isEqualTo(3L);
            assertThat(resp.call("LRANGE", "l", "0", "-1")).isEqualTo(List.of("a", "", "c"));
            assertThatThrownBy(() -> resp.call("NOSUCHCOMMAND")).isInstanceOfSatisfying(Resp.ErrorReply.class,
                    e -> assertThat(e.code()).isEqualTo("ERR"));
            assertThat(resp.call("PING")).as("the connection survives an error reply").isEqualTo("PONG");
        }
    }

    @Test
    void itListensOnLoopbackOnly() throws Exception {
        try (RedisServer server = TestRedis.server()) {
            String hexPort = String.format("%04X", server.port());
            List<String> listening = Files.readAllLines(Path.of("/proc/net/tcp")).stream().map(String::trim)
                    .map(l -> l.split("\\s+")).filter(f -> f.length > 3 && f[3].equals("0A") && f[1].endsWith(":" + hexPort))
                    .map(f -> f[1]).toList();
            assertThat(listening).containsExactly("0100007F:" + hexPort);
            if (Files.exists(Path.of("/proc/net/tcp6"))) {
                assertThat(Files.readAllLines(Path.of("/proc/net/tcp6"))).noneMatch(l -> l.matches("\\s*\\d+: \\S+:" + hexPort + " \\S+ 0A .*"));
            }
            Optional<InetAddress> external = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
            if (external.isPresent()) {
                try (Socket s = new Socket()) {
                    assertThatThrownBy(() -> s.connect(new InetSocketAddress(external.get(), server.port()), 1_000))
                            .isInstanceOf(ConnectException.class);
                }
            }
        }
    }

    @Test
    void nothingIsPersisted() throws Exception {
        try (RedisServer server = TestRedis.server(); Resp resp = server.connect(2_000)) {
            assertThat(resp.call("CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
            assertThat(resp.call("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "no"));
            assertThat(resp.call("CONFIG", "GET", "protected-mode")).isEqualTo(List.of("protected-mode", "yes"));
            assertThat(resp.call("CONFIG", "GET", "bind")).isEqualTo(List.of("bind", "127.0.0.1"));
        }
    }

    @Test
    void thePasswordIsRandomAndNeverOnTheCommandLine() throws Exception {
        try (RedisServer a = TestRedis.server(); RedisServer b = TestRedis.server()) {
            assertThat(a.password()).matches("[0-9a-f]{64}").isNotEqualTo(b.password());
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(a.pid()), "cmdline")), StandardCharsets.UTF_8);
            assertThat(cmdline).doesNotContain(a.password());
            String guard = new String(Files.readAllBytes(Path.of("/proc", Long.toString(a.guardPid().orElseThrow()), "cmdline")),
                    StandardCharsets.UTF_8);
            assertThat(guard).doesNotContain(a.password()).doesNotContain("redis-server");
        }
    }

    @Test
    void theServerAndItsWatchdogStandApartFromTheTerminalsSignals() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Posix.SETSID != null, "no setsid on this machine");
        try (RedisServer server = TestRedis.server()) {
            long[] ours = groupAndSession(ProcessHandle.current().pid());
            long guard = server.guardPid().orElseThrow();
            for (long pid : new long[] {server.pid(), guard}) {
                long[] theirs = groupAndSession(pid);
                assertThat(theirs).as("process group and session of %d", pid).isNotNull();
                assertThat(theirs[0]).as("a Ctrl-C to our process group does not reach %d", pid).isNotEqualTo(ours[0]);
                assertThat(theirs[1]).isNotEqualTo(ours[1]);
            }
            for (String signal : new String[] {"HUP", "INT", "QUIT"}) {
                assertThat(Posix.signal(guard, signal)).isTrue();
            }
            // a shell that a signal ends exits at once: its exit must not come
            assertThatThrownBy(() -> ProcessHandle.of(guard).orElseThrow().onExit().get(500, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .as("the watchdog survives HUP, INT and QUIT").isInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThat(Posix.running(guard)).isTrue();
            try (Resp resp = Resp.connect(server.host(), server.port(), server.password(), 2_000)) {
                assertThat(resp.call("PING")).isEqualTo("PONG");
            }
        }
    }

    /** Fields 5 and 6 of {@code /proc/<pid>/stat}: the process group and the session, or null. */
    static long[] groupAndSession(long pid) {
        java.nio.file.Path stat = java.nio.file.Path.of("/proc", Long.toString(pid), "stat");
        java.util.OptionalInt group = io.cadre.internal.util.Proc.statField(stat, 5);
        java.util.OptionalInt session = io.cadre.internal.util.Proc.statField(stat, 6);
        return group.isPresent() && session.isPresent() ? new long[] {group.getAsInt(), session.getAsInt()} : null;
    }

    @Test
    void closeLeavesNoRedisServerAndNoWatchdog() throws Exception {
        RedisServer server = TestRedis.server();
        long pid = server.pid();
        long guard = server.guardPid().orElseThrow();
        Path dir = server.dir();
        assertThat(Posix.running(pid)).isTrue();
        assertThat(Posix.running(guard)).isTrue();

        server.close();
        server.close();

        assertThat(Posix.running(pid)).isFalse();
        assertThat(Posix.running(guard)).isFalse();
        assertThat(dir).doesNotExist();
        assertPortFree(server.port());
    }

    @Test
    void aPausedServerDoesNotAnswerUntilResumed() throws Exception {
        try (RedisServer server = TestRedis.server(); Resp resp = server.connect(500)) {
            server.pause();
            assertThatThrownBy(() -> resp.call("PING")).isInstanceOf(SocketTimeoutException.class);
            server.resume();
            try (Resp fresh = server.connect(500)) {
                assertThat(fresh.call("PING")).isEqualTo("PONG");
            }
        }
    }

    @Test
    void aPausedServerStillClosesPromptly() throws Exception {
        RedisServer server = TestRedis.server();
        server.pause();
        server.close();
        assertThat(Posix.running(server.pid())).isFalse();
    }

    @Test
    void aKilledServerComesBackOnTheSamePortWithTheSamePasswordAfterRestart() throws Exception {
        try (RedisServer server = TestRedis.server()) {
            int port = server.port();
            long oldPid = server.pid();
            long oldGuard = server.guardPid().orElseThrow();
            try (Resp resp = server.connect(1_000)) {
                resp.call("SET", "k", "v");
            }

            server.kill();
            assertThat(server.isRunning()).isFalse();
            assertThat(Posix.running(oldGuard)).isFalse();
            assertThatThrownBy(() -> server.connect(500)).isInstanceOf(ConnectException.class);

            server.restart();
            assertThat(server.port()).isEqualTo(port);
            assertThat(server.pid()).isNotEqualTo(oldPid);
            assertThat(server.guardPid()).isPresent();
            try (Resp resp = server.connect(1_000)) {
                assertThat(resp.call("PING")).isEqualTo("PONG");
                assertThat(resp.call("GET", "k")).as("nothing persisted").isNull();
            }

            server.restart(); // a running server restarts too
            try (Resp resp = server.connect(1_000)) {
                assertThat(resp.call("PING")).isEqualTo("PONG");
            }
        }
    }

    @Test
    void theWatchdogEndsTheServerWhenItsParentDies() throws Exception {
        Process parent = new ProcessBuilder("sleep", "600").start();
        try (RedisServer server = TestRedis.server(RedisServerConfig.builder().guardedBy(parent.pid()).build())) {
            long pid = server.pid();
            long guard = server.guardPid().orElseThrow();

            parent.destroyForcibly();
            long killed = System.nanoTime();

            // the spec's 5 s: a 1 s poll, then TERM and at most 2 s before KILL; the measured figure is printed
            Await.until(Duration.ofSeconds(5), () -> !Posix.running(pid), "redis-server " + pid + " still runs");
            System.out.printf("RedisServerTest: redis-server gone %d ms after its parent was killed%n",
                    Duration.ofNanos(System.nanoTime() - killed).toMillis());
            Await.until(Duration.ofSeconds(3), () -> !Posix.running(guard), "the watchdog " + guard + " still runs");
            assertPortFree(server.port());
            assertThat(server.dir()).as("the temporary directory its dead owner can no longer delete").doesNotExist();
        } finally {
            parent.destroyForcibly();
            parent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void theWatchdogEndsByItselfWhenTheServerDies() throws Exception {
        try (RedisServer server = TestRedis.server()) {
            long guard = server.guardPid().orElseThrow();
            assertThat(Posix.signal(server.pid(), "KILL")).isTrue();

            Await.until(Duration.ofSeconds(3), () -> !Posix.running(guard), "the watchdog " + guard + " still runs");
        }
    }

    @Test
    void anUnguardedServerHasNoWatchdog() throws Exception {
        try (RedisServer server = TestRedis.server(RedisServerConfig.builder().unguarded().build())) {
            assertThat(server.guardPid()).isEmpty();
            assertThat(TestRedis.liveDescendants()).extracting(ProcessHandle::pid).containsExactly(server.pid());
        }
    }

    @Test
    void aServerThatCannotStartSaysWhyAndLeavesNothingRunning() throws Exception {
        assertThatThrownBy(() -> TestRedis.server(RedisServerConfig.builder().extraArgs(List.of("--no-such-directive", "x")).build()))
                .hasMessageContaining("exited with code")
                .hasMessageContaining("no-such-directive");
    }

    @Test
    void aTakenFixedPortFailsWithRedisOutput() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            RedisServerConfig config = RedisServerConfig.builder().port(taken.getLocalPort()).startTimeoutMillis(1_000).build();
            assertThatThrownBy(() -> TestRedis.server(config)).hasMessageContaining("Failed listening on port " + taken.getLocalPort());
        }
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsStopped() throws Exception {
        RedisServerConfig config = RedisServerConfig.builder().startTimeoutMillis(1).build();
        assertThatThrownBy(() -> TestRedis.server(config)).hasMessageContaining("did not answer PING");
    }

    @Test
    void aGivenPasswordAndDirectoryAreUsedAndTheDirectoryIsKept(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("redis");
        RedisServerConfig config = RedisServerConfig.builder().password("s3cret!pass").dir(dir).build();
        try (RedisServer server = TestRedis.server(config); Resp resp = Resp.connect("127.0.0.1", server.port(), "s3cret!pass", 1_000)) {
            assertThat(resp.call("CONFIG", "GET", "dir")).isEqualTo(List.of("dir", dir.toRealPath().toString()));
        }
        assertThat(dir).isDirectory();
    }

    static void assertPortFree(int port) throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        }
    }
}
