package io.cadre.internal.worker;

import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.ExitCodes;
import io.cadre.Message;
import io.cadre.StartupCheck;
import io.cadre.Worker;
import io.cadre.internal.Settings;
import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.FrameType;
import io.cadre.internal.ipc.IpcChannel;
import io.cadre.internal.ipc.Payloads.Cluster;
import io.cadre.internal.ipc.Payloads.Drain;
import io.cadre.internal.ipc.Payloads.Hello;
import io.cadre.internal.util.Signals;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker process: connects to the primary, runs the startup checks and hooks, binds the shared
 * port, serves, and drains on request (DRAIN frame or SIGTERM) or when the primary is gone (IPC
 * closed), then returns its exit code. SIGINT is ignored: a terminal's Ctrl-C reaches the whole
 * process group, and the primary coordinates the shutdown.
 *
 * <p>Threads: the caller's thread boots and then waits; {@code cadre-drain} drains;
 * {@code cadre-heartbeat} sends heartbeats; IPC and requests run on virtual threads.
 */
public final class WorkerRuntime {
    /** Resolved on first use: a worker's boot must not wait for the logging backend (see {@code Warmup}). */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);
    }
    /** How long a worker whose primary died may drain: it must be gone within 2 s. UNIT: ms. */
    static final long ORPHAN_DRAIN_MILLIS = 1_500;

    private final App app;
    private final CadreConfig config;
    private final WorkerEnv env;
    private final WorkerHandle handle;
    private final ServerState state = new ServerState();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean drainStarted = new AtomicBoolean();
    private IpcChannel ipc;
    private ScheduledExecutorService heartbeat;
    private WorkerServer http;
    private final Map<String, String> appOptions;
    private final java.util.Deque<io.cadre.Extension> startedExtensions = new java.util.concurrent.ConcurrentLinkedDeque<>();

    private WorkerRuntime(App app, Settings settings, WorkerEnv env) {
        this.app = app;
        this.config = settings.config();
        this.env = env;
        this.handle = new WorkerHandle(env.id(), env.generation(), settings.appOptions());
        this.appOptions = settings.appOptions();
    }

    /** Runs a worker until it has drained; returns its exit code. */
    public static int run(App app, Settings settings, WorkerEnv env) {
        return new WorkerRuntime(app, settings, env).run();
    }

    private int run() {
        long mainAt = sinceFork();
        XnioMBeanGuard.install();
        Warmup.start();
        Signals.ignore("INT");
        Signals.handle("TERM", () -> drainAsync(config.drainTimeoutMillis(), "SIGTERM"));
        try {
            connect();
        } catch (IOException e) {
            System.err.println("cadre worker " + env.id() + ": cannot reach the primary at " + env.ipcSocket() + ": " + e.getMessage());
            return ExitCodes.NO_PRIMARY;
        }
        long connectedAt = sinceFork();
        for (Map.Entry<String, StartupCheck> check : app.startupChecks()) {
            try {
                check.getValue().check();
            } catch (Exception e) {
                System.err.println("cadre worker " + env.id() + ": startup check '" + check.getKey() + "' failed: " + describe(e));
                return ExitCodes.STARTUP_CHECK_FAILED;
            }
        }
        for (io.cadre.Extension extension : app.extensions()) {
            io.cadre.ExtensionContext context = new io.cadre.ExtensionContext(appOptions, System.getenv(),
                    java.nio.file.Path.of(System.getenv().getOrDefault("CADRE_RUNTIME_BASE", System.getProperty("java.io.tmpdir"))),
                    env.id(), env.primaryPid(), env.workerCount(), config.drainTimeoutMillis());
            try {
                extension.startWorker(context);
                startedExtensions.addFirst(extension);
            } catch (Exception e) {
                System.err.println("cadre worker " + env.id() + ": " + extension.name() + " failed to start: " + describe(e));
                return ExitCodes.STARTUP_CHECK_FAILED;
            }
        }
        for (Consumer<Worker> hook : app.workerHooks()) {
            try {
                hook.accept(handle);
            } catch (RuntimeException e) {
                Log.log.error("worker hook failed", e);
                System.err.println("cadre worker " + env.id() + ": worker hook failed: " + describe(e));
                return ExitCodes.STARTUP_CHECK_FAILED;
            }
        }
        long checkedAt = sinceFork();
        InetSocketAddress bind = new InetSocketAddress(env.host(), env.port());
        WorkerServer server;
        try {
            server = WorkerServer.start(app, config, env.workerCount(), bind, handle, state, this::firstResponse);
        } catch (BindException e) {
            System.err.println("cadre worker " + env.id() + ": cannot bind " + env.host() + ":" + env.port() + ": " + e.getMessage());
            return ExitCodes.SERVER_FAILED;
        } catch (IOException | RuntimeException e) {
            Log.log.error("HTTP server failed to start", e);
            System.err.println("cadre worker " + env.id() + ": HTTP server failed to start: " + describe(e));
            return ExitCodes.SERVER_FAILED;
        }
        if (!publish(server)) {
            return exit.join();
        }
        state.markReady();
        ipc.send(Frame.empty(FrameType.READY));
        long readyAt = sinceFork();
        Log.log.info("worker {} (pid {}) ready on {} {} ms after its fork (JVM to main {}, IPC {}, checks and hooks {}, HTTP server {})",
                env.id(), handle.pid(), bind, readyAt, mainAt, connectedAt - mainAt, checkedAt - connectedAt, readyAt - checkedAt);
        return exit.join();
    }

    private void connect() throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socket.connect(UnixDomainSocketAddress.of(env.ipcSocket()));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        ipc = new IpcChannel(socket, "primary");
        handle.attach(ipc);
        ipc.start(new IpcChannel.Listener() {
            @Override
            public void onFrame(IpcChannel channel, Frame frame) throws IOException {
                switch (frame.type()) {
                    case DRAIN -> drainAsync(Drain.of(frame).timeoutMillis(), "asked by the primary");
                    case APP -> handle.deliver(Message.of(frame.read(com.fasterxml.jackson.databind.JsonNode.class)));
                    case CLUSTER -> state.clusterState(Cluster.of(frame).state());
                    default -> throw new io.cadre.internal.ipc.MalformedFrameException("unexpected " + frame.type() + " frame from the primary");
                }
            }

            @Override
            public void onClose(IpcChannel channel, Throwable cause) {
                if (!drainStarted.get()) {
                    Log.log.warn("worker {}: the primary (pid {}) is gone; draining for at most {} ms and exiting",
                            env.id(), env.primaryPid(), Math.min(config.drainTimeoutMillis(), ORPHAN_DRAIN_MILLIS));
                    drainAsync(Math.min(config.drainTimeoutMillis(), ORPHAN_DRAIN_MILLIS), "primary gone");
                }
            }
        });
        ipc.send(new Hello(env.id(), env.generation(), handle.pid(), env.token()).frame());
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("cadre-heartbeat").daemon().factory());
        long every = config.supervision().heartbeatIntervalMillis();
        heartbeat.scheduleAtFixedRate(() -> ipc.send(Frame.empty(FrameType.HEARTBEAT)), every, every, TimeUnit.MILLISECONDS);
    }

    /** Makes the server visible to the drain; false when a drain already began (the server is stopped). */
    private synchronized boolean publish(WorkerServer server) {
        if (drainStarted.get()) {
            server.stop(0, 0);
            return false;
        }
        http = server;
        return true;
    }

    private synchronized WorkerServer server() {
        return http;
    }

    private void drainAsync(long timeoutMillis, String reason) {
        if (drainStarted.compareAndSet(false, true)) {
            Thread.ofPlatform().name("cadre-drain").start(() -> drain(timeoutMillis, reason));
        }
    }

    private void drain(long timeoutMillis, String reason) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        WorkerServer server = server();
        CompletableFuture<Void> idle = state.startDraining();
        Log.log.info("worker {} draining ({}): {} requests in flight, timeout {} ms", env.id(), reason, state.inFlight(), timeoutMillis);
        if (server != null) {
            try {
                server.stopAccepting();
            } catch (IOException e) {
                Log.log.debug("closing the listener failed", e);
            }
            try {
                idle.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                Log.log.warn("worker {}: drain timed out with {} requests still in flight", env.id(), state.inFlight());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            server.stop(Math.min(200, Math.max(1, left)), left);
        }
        for (io.cadre.Extension extension : startedExtensions) {
            try {
                extension.stop();
            } catch (RuntimeException e) {
                Log.log.warn("{} failed to stop: {}", extension.name(), e.toString());
            }
        }
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        if (ipc != null) {
            ipc.close();
        }
        exit.complete(ExitCodes.OK);
    }

    private void firstResponse() {
        Log.log.info("worker {} served its first response {} ms after its fork", env.id(), sinceFork());
    }

    /** Milliseconds since the primary forked this worker (wall clock, shared by both processes). */
    private long sinceFork() {
        return (ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) - env.spawnedAtMicros()) / 1000;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
