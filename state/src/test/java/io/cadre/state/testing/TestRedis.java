package io.cadre.state.testing;

import io.cadre.state.internal.redis.RedisBinary;
import io.cadre.state.internal.redis.RedisCluster;
import io.cadre.state.internal.redis.RedisClusterConfig;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.internal.redis.RedisServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Real Redis for tests: the embedded redis-server 7.0.15, extracted once per JVM into
 * {@code target/test-redis-bin} (0700), and servers and clusters started from it. Every server is
 * guarded by the test JVM, so even a test JVM killed mid-run leaves no redis-server behind; close
 * them with try-with-resources. Safe to call from any thread.
 */
public final class TestRedis {
    private static RedisBinary binary;

    private TestRedis() {
    }

    /** The directory the embedded binary is extracted into. */
    public static Path binaryDir() {
        return Path.of(System.getProperty("user.dir"), "target", "test-redis-bin");
    }

    /** The embedded redis-server (not one on PATH, so every run tests the same version). */
    public static synchronized RedisBinary binary() {
        if (binary == null) {
            try {
                binary = RedisBinary.embedded(binaryDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return binary;
    }

    /** A started server with the defaults: loopback, random password, guarded by this JVM. */
    public static RedisServer server() throws IOException {
        return RedisServer.start(binary(), RedisServerConfig.defaults());
    }

    /** A started server with {@code config}. */
    public static RedisServer server(RedisServerConfig config) throws IOException {
        return RedisServer.start(binary(), config);
    }

    /** A formed cluster of {@code masters} masters. */
    public static RedisCluster cluster(int masters) throws IOException {
        return RedisCluster.start(binary(), RedisClusterConfig.ofMasters(masters));
    }

    /** The live processes this JVM started, directly or not. */
    public static List<ProcessHandle> liveDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * Fails unless every process this JVM started has ended within {@code timeout}; a process still
     * running then is killed (SIGKILL) and waited for (bounded) before the failure, so a failing
     * test leaves nothing behind for the next one.
     */
    public static void awaitNoDescendants(Duration timeout) {
        try {
            Await.until(timeout, () -> liveDescendants().isEmpty(), "");
        } catch (AssertionError notGone) {
            List<ProcessHandle> left = liveDescendants();
            List<String> described = left.stream().map(TestRedis::describe).toList();
            left.forEach(ProcessHandle::destroyForcibly);
            Await.until(Duration.ofSeconds(10), () -> left.stream().noneMatch(TestRedis::running),
                    () -> "processes left behind " + described + ", and still running 10 s after SIGKILL: "
                            + left.stream().filter(TestRedis::running).map(TestRedis::describe).toList());
            throw new AssertionError("processes left behind (now killed): " + described);
        }
    }

    /** Alive and not a zombie (a grandchild whose parent died waits for init to collect it, which some container inits do slowly). */
    static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static String describe(ProcessHandle p) {
        return p.pid() + " " + p.info().commandLine().orElse(p.info().command().orElse("?"));
    }
}
