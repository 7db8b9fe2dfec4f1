package io.cadre.state.internal.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A redis-server child process: loopback only, a random password, no persistence, and by default
 * a watchdog that ends it when this process dies (see {@link RedisServerConfig}). {@link #start}
 * returns once it answers an authenticated PING.
 *
 * <p>Every method may be called from any thread; the state-changing ones ({@link #pause},
 * {@link #resume}, {@link #kill}, {@link #restart}, {@link #close}) are serialised, and each
 * happens-before the next. {@link #close()} is idempotent. A JVM shutdown hook kills servers
 * that were never closed.
 */
public final class RedisServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
    private static final int AUTO_PORT_ATTEMPTS = 3;
    private static final Set<RedisServer> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(s -> s.run.process().destroyForcibly()),
                "cadre-redis-shutdown"));
    }

    private final RedisBinary binary;
    private final RedisServerConfig config;
    private final String host;
    private final String password;
    private final Path dir;
    private final boolean ownDir;
    private volatile RedisProcess run;
    private boolean paused;
    private boolean closed;

    private RedisServer(RedisBinary binary, RedisServerConfig config, Path dir, boolean ownDir) {
        this.binary = binary;
        this.config = config;
        this.host = connectHost(config.bindHost());
        this.password = config.password().orElseGet(RedisServer::randomPassword);
        this.dir = dir;
        this.ownDir = ownDir;
    }

    /**
     * Starts {@code binary} with {@code config} and waits until it answers.
     *
     * @throws IOException when it does not answer within {@code startTimeoutMillis}; the message
     *     carries redis-server's last output lines. Nothing is left running then.
     */
    public static RedisServer start(RedisBinary binary, RedisServerConfig config) throws IOException {
        Path dir = config.dir().orElse(null);
        if (dir != null) {
            EmbeddedRedisBinary.ensurePrivateDir(dir);
        } else {
            dir = Files.createTempDirectory("cadre-redis-"); // 0700
        }
        RedisServer server = new RedisServer(binary, config, dir, config.dir().isEmpty());
        try {
            server.run = server.launch(config.port());
            OPEN.add(server);
            return server;
        } catch (IOException | RuntimeException e) {
            server.deleteDir();
            throw e;
        }
    }

    /** Starts the binary found by {@link RedisBinary#locate(Path)} with the default configuration. */
    public static RedisServer startDefault(Path extractDir) throws IOException {
        return start(RedisBinary.locate(extractDir), RedisServerConfig.defaults());
    }

    private RedisProcess launch(int fixedPort) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.startTimeoutMillis());
        for (int attempt = 1; ; attempt++) {
            int port = fixedPort != 0 ? fixedPort : FreePort.pick(host, config.clusterEnabled());
            RedisProcess p = RedisProcess.launch(binary, config, dir, port, password, ownDir);
            try {
                p.awaitReady(host, password, deadline);
                log.debug("redis-server {} (pid {}) answers on {}:{}", binary.version(), p.process().pid(), host, port);
                return p;
            } catch (RedisProcess.StartFailure e) {
                p.stop(host, password, config.stopTimeoutMillis());
                boolean timeLeft = System.nanoTime() - deadline < 0;
                if (!e.bindConflict || !timeLeft || (fixedPort == 0 && attempt >= AUTO_PORT_ATTEMPTS)) {
                    throw e;
                }
                log.debug("port {} was taken before redis-server bound it; trying again", port);
                if (fixedPort != 0) {
                    RedisProcess.sleep(100);
                }
            } catch (IOException | RuntimeException e) {
                p.stop(host, password, config.stopTimeoutMillis());
                throw e;
            }
        }
    }

    /** Stops the server if it runs and starts it again on the same port, with the same password and directory. */
    public synchronized void restart() throws IOException {
        requireOpen();
        RedisProcess old = run;
        resumeIfPaused();
        old.stop(host, password, config.stopTimeoutMillis());
        run = launch(old.port());
    }

    /** Freezes redis-server with SIGSTOP: connections open but nothing answers, as on a hung host. */
    public synchronized void pause() throws IOException {
        requireOpen();
        if (!Posix.signal(pid(), "STOP")) {
            throw new IOException("could not stop redis-server pid " + pid());
        }
        paused = true;
    }

    /** Lets a {@link #pause() paused} redis-server go on with SIGCONT. */
    public synchronized void resume() throws IOException {
        requireOpen();
        if (!Posix.signal(pid(), "CONT")) {
            throw new IOException("could not continue redis-server pid " + pid());
        }
        paused = false;
    }

    /** Kills redis-server with SIGKILL, as a crash would, and waits for it to end; {@link #restart()} brings it back. */
    public synchronized void kill() {
        requireOpen();
        run.kill(config.stopTimeoutMillis());
        paused = false;
    }

    /** Stops redis-server and its watchdog (bounded by about 3 x {@code stopTimeoutMillis}) and deletes a temporary directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            resumeIfPaused();
        } catch (IOException e) {
            log.debug("could not continue paused redis-server pid {}: {}", pid(), e.getMessage());
        }
        run.stop(host, password, config.stopTimeoutMillis());
        OPEN.remove(this);
        deleteDir();
    }

    private void resumeIfPaused() throws IOException {
        if (paused) {
            paused = false;
            Posix.signal(pid(), "CONT");
        }
    }

    /** An authenticated connection to this server. The caller closes it. */
    public Resp connect(int timeoutMillis) throws IOException {
        return Resp.connect(host, port(), password, timeoutMillis);
    }

    /** The address clients connect to: the bind address, or loopback for a wildcard bind. */
    public String host() {
        return host;
    }

    public int port() {
        return run.port();
    }

    /** {@code redis://HOST:PORT}, without the password. */
    public String uri() {
        return "redis://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** The password of the {@code default} user. */
    public String password() {
        return password;
    }

    public String version() {
        return binary.version();
    }

    public RedisBinary binary() {
        return binary;
    }

    public RedisServerConfig config() {
        return config;
    }

    /** redis-server's working directory. */
    public Path dir() {
        return dir;
    }

    /** The pid of the current redis-server process (a new one after {@link #restart()}). */
    public long pid() {
        return run.process().pid();
    }

    /** The current redis-server process. */
    public Process process() {
        return run.process();
    }

    /** The pid of the watchdog shell, when guarded. */
    public OptionalLong guardPid() {
        ParentGuard guard = run.guard();
        return guard == null ? OptionalLong.empty() : OptionalLong.of(guard.pid());
    }

    /** Whether redis-server runs (a paused one does). */
    public boolean isRunning() {
        return run.process().isAlive();
    }

    /** redis-server's last output lines, for diagnostics. */
    public String lastOutput() {
        return run.lastOutput();
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + ", pid " + pid() + ", redis " + version() + "]";
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this RedisServer is closed");
        }
    }

    private void deleteDir() {
        if (ownDir && !Dirs.deleteTree(dir)) {
            log.debug("could not delete {}", dir);
        }
    }

    static String connectHost(String bindHost) {
        return switch (bindHost) {
            case "0.0.0.0", "*" -> "127.0.0.1";
            case "::", "::0", "*:*" -> "::1";
            default -> bindHost;
        };
    }

    static String randomPassword() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
