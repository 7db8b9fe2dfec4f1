package io.cadre.state.internal.redis;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One run of redis-server: the command line, the secrets written to its stdin (so that they never
 * show in {@code ps}), its output, its watchdog, the wait until it answers and the bounded stop.
 * Confined to the {@link RedisServer} that owns it, which serialises every call.
 */
final class RedisProcess {
    private final Process process;
    private final OutputTail output;
    private final ParentGuard guard;
    private final int port;

    private RedisProcess(Process process, OutputTail output, ParentGuard guard, int port) {
        this.process = process;
        this.output = output;
        this.guard = guard;
        this.port = port;
    }

    /** Raised when redis-server exits before it answers; {@link #bindConflict} when its port was taken. */
    static final class StartFailure extends IOException {
        private static final long serialVersionUID = 1L;
        final boolean bindConflict;

        StartFailure(String message, boolean bindConflict) {
            super(message);
            this.bindConflict = bindConflict;
        }
    }

    /** {@code ownDir}: {@code dir} is the server's own temporary directory, which the watchdog removes after a parent's death. */
    static RedisProcess launch(RedisBinary binary, RedisServerConfig config, Path dir, int port, String password, boolean ownDir)
            throws IOException {
        // its own session: Ctrl-C in the primary's terminal must not stop Redis before the workers
        // have drained (they ignore SIGINT and wait for the primary), nor a hang-up leave it orphaned
        Process process = new ProcessBuilder(Posix.ownSession(command(binary, config, dir, port))).redirectErrorStream(true).start();
        OutputTail output = OutputTail.start(process.getInputStream(), "cadre-redis-out-" + port, "[redis :" + port + "] ");
        ParentGuard guard = null;
        try {
            if (config.guardParentPid() != RedisServerConfig.NO_GUARD) {
                guard = ParentGuard.start(config.guardParentPid(), process.pid(), ownDir ? dir : null);
            }
            try (OutputStream stdin = process.getOutputStream()) {
                String secrets = "requirepass " + password + "\n" + (config.clusterEnabled() ? "masterauth " + password + "\n" : "");
                stdin.write(secrets.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // it exited before reading its configuration; awaitReady reports why
            }
            return new RedisProcess(process, output, guard, port);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            if (guard != null) {
                guard.close();
            }
            throw e;
        }
    }

    static List<String> command(RedisBinary binary, RedisServerConfig config, Path dir, int port) {
        List<String> cmd = new ArrayList<>(List.of(binary.path().toString(), "-", // "-": the rest of the configuration on stdin
                "--bind", config.bindHost(), "--port", Integer.toString(port), "--protected-mode", "yes",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no", "--loglevel", "warning"));
        if (config.clusterEnabled()) {
            cmd.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf"));
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if ((arch.equals("aarch64") || arch.equals("arm64")) && binary.majorVersion() >= 7) {
            // Redis refuses some arm64 kernels for a copy-on-write bug that only hurts forks for persistence; there are none.
            cmd.addAll(List.of("--ignore-warnings", "ARM64-COW-BUG"));
        }
        cmd.addAll(config.extraArgs());
        return cmd;
    }

    /** Waits until redis-server answers an authenticated PING, it exits, or {@code deadlineNanos} passes. */
    void awaitReady(String host, String password, long deadlineNanos) throws IOException {
        while (true) {
            if (!process.isAlive()) {
                output.awaitEnd(500);
                String lines = output.lines();
                throw new StartFailure("redis-server exited with code " + process.exitValue() + " before it answered on port " + port
                        + "; its last output:\n" + lines, lines.contains("Address already in use"));
            }
            try (Resp resp = Resp.connect(host, port, password, 250)) {
                if ("PONG".equals(resp.call("PING"))) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet, or still loading
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new IOException("redis-server (pid " + process.pid() + ") did not answer PING on " + host + ":" + port
                        + " in time; its last output:\n" + output.lines());
            }
            sleep(10);
        }
    }

    /**
     * Stops the watchdog, then redis-server: {@code SHUTDOWN NOSAVE}, then SIGTERM, then SIGKILL,
     * each given {@code stepMillis}.
     */
    void stop(String host, String password, long stepMillis) {
        if (guard != null) {
            guard.close(); // first, so that it can never signal a pid that was reused
        }
        try {
            if (process.isAlive()) {
                try (Resp resp = Resp.connect(host, port, password, (int) Math.min(stepMillis, 1_000))) {
                    resp.call("SHUTDOWN", "NOSAVE");
                } catch (IOException e) {
                    // the usual answer: SHUTDOWN closes the connection without a reply
                }
                if (!process.waitFor(stepMillis, TimeUnit.MILLISECONDS)) {
                    process.destroy();
                    if (!process.waitFor(stepMillis, TimeUnit.MILLISECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(stepMillis, TimeUnit.MILLISECONDS);
                    }
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        output.awaitEnd(200);
    }

    /** SIGKILL, as a crash would; the watchdog is stopped too. */
    void kill(long waitMillis) {
        process.destroyForcibly();
        try {
            process.waitFor(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (guard != null) {
            guard.close();
        }
    }

    Process process() {
        return process;
    }

    ParentGuard guard() {
        return guard;
    }

    int port() {
        return port;
    }

    String lastOutput() {
        return output.lines();
    }

    static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
