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
import java.time.Duration;
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
    /** How long the JVM may take to exit after the drain deadline before it is halted. UNIT: ms. */
    static final long EXIT_GRACE_MILLIS = 3_000;
    /** The same when the primary is gone: a worker exits within 2 s of its primary's death. UNIT: ms. */
    static final long ORPHAN_EXIT_GRACE_MILLIS = 400;
    /** How long a draining worker's open connections must stay quiet before they are closed. UNIT: ms. */
    static final long LINGER_MILLIS = 300;

    private final App app;
    private final CadreConfig config;
    private final WorkerEnv env;
    private final WorkerHandle handle;
    private final ServerState state = new ServerState();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean drainStarted = new AtomicBoolean();
    /** When the drain must end (System.nanoTime()); moved closer, never further, by whoever knows better. */
    private final java.util.concurrent.atomic.AtomicLong drainDeadline = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
    private volatile boolean primaryGone;
    /** Set when the drain closes the IPC channel itself, so that its end is not taken for the primary's death. */
    private volatile boolean closingIpc;
    /** A server that finished starting after the drain began: handed to the drain, which drains it in the usual order. */
    private final CompletableFuture<WorkerServer> lateServer = new CompletableFuture<>();
    private volatile long warmUpLimitMillis;
    private IpcChannel ipc;
    private ScheduledExecutorService heartbeat;
    private WorkerServer http;
    private volatile io.cadre.internal.metrics.MetricsReporter metrics;
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
        Warmup.startIfWorker();
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
            server = WorkerServer.start(app, config, env.workerCount(), bind, handle, state, this::firstResponse,
                    env.replacement() ? warmUpPlan() : null);
        } catch (HttpServer.Cancelled e) {
            lateServer.complete(null); // no server: the drain need not wait for one
            return exit.join(); // the drain that cancelled the warm-up ends the worker
        } catch (BindException e) {
            System.err.println("cadre worker " + env.id() + ": cannot bind " + env.host() + ":" + env.port() + ": " + e.getMessage());
            return ExitCodes.SERVER_FAILED;
        } catch (IOException | RuntimeException e) {
            Log.log.error("HTTP server failed to start", e);
            System.err.println("cadre worker " + env.id() + ": HTTP server failed to start: " + describe(e));
            return ExitCodes.SERVER_FAILED;
        }
        if (!publish(server)) {
            return exit.join(); // a drain began while the server started: the drain drains it too
        }
        if (config.operations().adminPort() != -1) { // the primary serves /metrics: report to it
            metrics = io.cadre.internal.metrics.MetricsReporter.start(ipc, server.metrics(), handle.pid(), env.generation());
        }
        state.markReady();
        ipc.send(Frame.empty(FrameType.READY));
        long readyAt = sinceFork();
        Log.log.info("worker {} (pid {}) ready on {} {} ms after its fork (JVM to main {}, IPC {}, checks and hooks {}, HTTP server {})",
                env.id(), handle.pid(), bind, readyAt, mainAt, connectedAt - mainAt, checkedAt - connectedAt, readyAt - checkedAt);
        for (io.cadre.Extension extension : startedExtensions) {
            try {
                extension.workerReady();
            } catch (RuntimeException e) {
                Log.log.warn("{} failed after the worker became ready: {}", extension.name(), describe(e));
            }
        }
        return exit.join();
    }

    /**
     * A replacement's warm-up: at most a quarter of the boot timeout, and never so long that the
     * worker could miss the boot timeout, counted from its fork (a margin of a tenth of it, at least
     * 1 s, is left for joining the port and saying ready); it stops when a drain begins.
     */
    private WarmUpRequests.Plan warmUpPlan() {
        long boot = config.supervision().bootTimeoutMillis();
        warmUpLimitMillis = warmUpLimit(boot, sinceFork());
        return new WarmUpRequests.Plan(warmUpLimitMillis, drainStarted::get, this::warmedUp);
    }

    /** The warm-up's time limit for a boot timeout of {@code bootMillis}, {@code elapsedMillis} after the fork; 0 or less: none. */
    static long warmUpLimit(long bootMillis, long elapsedMillis) {
        return Math.min(bootMillis / 4, bootMillis - elapsedMillis - Math.max(1_000, bootMillis / 10));
    }

    private void warmedUp(WarmUpRequests.Result result) {
        StringBuilder line = new StringBuilder().append("worker ").append(env.id()).append(" warmed up on ")
                .append(String.join(", ", config.operations().warmUpPaths())).append(": ").append(result.answered())
                .append(" requests in ").append(result.millis()).append(" ms");
        if (result.cutShort()) {
            line.append(warmUpLimitMillis <= 0 ? ", none: its boot left no time for it"
                    : ", stopped at the time limit (" + warmUpLimitMillis + " ms: a quarter of the boot timeout, or what the boot left of it)");
        }
        if (result.leftOut().isEmpty()) {
            Log.log.info("{}", line);
        } else {
            result.leftOut().forEach((path, why) -> line.append("; left out ").append(path).append(" (").append(why).append(')'));
            Log.log.warn("{}", line);
        }
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
                    case DUMP -> {
                        io.cadre.internal.ipc.Payloads.Dump dump = io.cadre.internal.ipc.Payloads.Dump.of(frame);
                        Thread.ofVirtual().name("cadre-dump").start(() -> dump(dump));
                    }
                    default -> throw new io.cadre.internal.ipc.MalformedFrameException("unexpected " + frame.type() + " frame from the primary");
                }
            }

            @Override
            public void onClose(IpcChannel channel, Throwable cause) {
                if (closingIpc) {
                    return; // this worker closed it, at the end of its drain: the primary is still there
                }
                long orphanMillis = Math.min(config.drainTimeoutMillis(), ORPHAN_DRAIN_MILLIS);
                primaryGone = true;
                if (!drainStarted.get()) {
                    Log.log.warn("worker {}: the primary (pid {}) is gone; draining for at most {} ms and exiting",
                            env.id(), env.primaryPid(), orphanMillis);
                    drainAsync(orphanMillis, "primary gone");
                } else if (drainDeadline.get() - System.nanoTime() > TimeUnit.MILLISECONDS.toNanos(orphanMillis)) {
                    // a drain the primary asked for, with its long timeout: no one waits for it now
                    Log.log.warn("worker {}: the primary (pid {}) is gone while this worker drains; cutting the drain to {} ms",
                            env.id(), env.primaryPid(), orphanMillis);
                }
                drainDeadline.accumulateAndGet(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(orphanMillis), Math::min);
            }
        });
        ipc.send(new Hello(env.id(), env.generation(), handle.pid(), env.token()).frame());
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("cadre-heartbeat").daemon().factory());
        long every = config.supervision().heartbeatIntervalMillis();
        heartbeat.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends a heartbeat. Once the server runs it travels through every IO thread and then a virtual
     * thread, so it stops when any IO thread or every carrier is stuck (a loop in a
     * {@code @NonBlocking} handler, every carrier busy),
     * and the primary's hang detection sees a worker that cannot serve, not just a live JVM.
     */
    private void beat() {
        WorkerServer s = server();
        if (s == null) {
            ipc.send(Frame.empty(FrameType.HEARTBEAT));
            return;
        }
        try {
            s.afterEveryIoThread(() -> Thread.ofVirtual().name("cadre-heartbeat-vt").start(() -> ipc.send(vitals(s).frame())));
        } catch (RuntimeException e) {
            Log.log.debug("heartbeat not sent: {}", e.toString()); // the server is stopping
        }
    }

    private io.cadre.internal.ipc.Payloads.Heartbeat vitals(WorkerServer s) {
        Runtime rt = Runtime.getRuntime();
        return new io.cadre.internal.ipc.Payloads.Heartbeat(io.cadre.internal.util.Proc.residentBytes(), rt.totalMemory() - rt.freeMemory(),
                state.served(), s.computeQueue());
    }

    /** Writes a thread or heap dump into the private runtime directory and tells the primary where. */
    private void dump(io.cadre.internal.ipc.Payloads.Dump request) {
        String path = "";
        String error = "";
        try {
            java.nio.file.Path dir = java.nio.file.Path.of(System.getenv().getOrDefault("CADRE_RUNTIME_BASE", System.getProperty("java.io.tmpdir")),
                    "dumps");
            java.nio.file.Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
            com.sun.management.HotSpotDiagnosticMXBean diagnostics = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            java.nio.file.Path file;
            switch (request.kind()) {
                case "threads" -> {
                    file = dir.resolve("worker-" + env.id() + "-pid" + handle.pid() + "-threads-" + stamp + ".txt");
                    diagnostics.dumpThreads(file.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                }
                case "heap" -> {
                    file = dir.resolve("worker-" + env.id() + "-pid" + handle.pid() + "-heap-" + stamp + ".hprof");
                    diagnostics.dumpHeap(file.toString(), true);
                }
                default -> throw new IllegalArgumentException("unknown dump kind '" + request.kind() + "'");
            }
            path = file.toString();
            Log.log.info("worker {}: {} dump written to {}", env.id(), request.kind(), path);
        } catch (IOException | RuntimeException e) {
            error = e.toString();
        }
        ipc.send(new io.cadre.internal.ipc.Payloads.Dumped(request.request(), path, error).frame());
    }

    /** Makes the server visible to the drain; false when a drain already began (the caller drains the server itself). */
    private synchronized boolean publish(WorkerServer server) {
        if (drainStarted.get()) {
            lateServer.complete(server);
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
        // shared with onClose: a primary that dies during a long drain cuts it short
        drainDeadline.accumulateAndGet(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), Math::min);
        WorkerServer server = server();
        if (server == null) {
            server = lateServer(); // the boot thread may be about to start one: drain it before anything stops
        }
        CompletableFuture<Void> idle = state.startDraining();
        Log.log.info("worker {} draining ({}): {} requests in flight, timeout {} ms", env.id(), reason, state.inFlight(), timeoutMillis);
        if (server != null) {
            drainServer(server, idle);
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
        io.cadre.internal.metrics.MetricsReporter reporter = metrics;
        if (reporter != null) {
            reporter.stop(200); // a last snapshot, written before the channel closes
        }
        if (ipc != null) {
            ipc.awaitWritten(200); // app messages sent by the last requests get out too
            closingIpc = true;
            ipc.close();
        }
        exit.complete(ExitCodes.OK);
        guardExit();
    }

    /**
     * The server that the boot thread finished starting after this drain began, if it does so
     * before the drain deadline (a boot step that does not return leaves none; the exit guard then
     * ends the JVM).
     */
    private WorkerServer lateServer() {
        try {
            return lateServer.get(Math.max(0, drainDeadline.get() - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Closes the listener, lets what is in flight finish (until the drain deadline), then stops the server. */
    private void drainServer(WorkerServer server, CompletableFuture<Void> idle) {
        try {
            server.stopAccepting();
        } catch (IOException e) {
            Log.log.debug("closing the listener failed", e);
        }
        awaitIdle(idle);
        linger();
        long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(drainDeadline.get() - System.nanoTime()));
        server.stop(Math.min(200, Math.max(1, left)), left);
    }

    /** Waits for the requests in flight to end, until the drain deadline (which may move closer meanwhile). */
    private void awaitIdle(CompletableFuture<Void> idle) {
        while (true) {
            long left = drainDeadline.get() - System.nanoTime();
            if (left <= 0) {
                Log.log.warn("worker {}: drain timed out with {} requests still in flight", env.id(), state.inFlight());
                return;
            }
            try {
                idle.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                // look at the deadline again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Ends the JVM if it is still running {@link #EXIT_GRACE_MILLIS} after the drain deadline
     * ({@link #ORPHAN_EXIT_GRACE_MILLIS} when the primary is gone): the drain is done, but a
     * shutdown hook that waits for its own work (an executor closing with a long timeout), or a
     * boot step that does not return while the drain ran, must not keep the worker alive until
     * the primary kills it, or forever when the primary is gone.
     */
    private void guardExit() {
        long exitedAt = System.nanoTime();
        Thread.ofPlatform().daemon().name("cadre-exit-guard").start(() -> {
            long graceMillis;
            try {
                while (true) { // the deadline and the grace may shrink meanwhile (the primary dies)
                    graceMillis = primaryGone ? ORPHAN_EXIT_GRACE_MILLIS : EXIT_GRACE_MILLIS;
                    long until = Math.max(drainDeadline.get(), exitedAt) + TimeUnit.MILLISECONDS.toNanos(graceMillis);
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    Thread.sleep(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100))));
                }
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("cadre worker " + env.id() + ": still running " + graceMillis + " ms after its drain ended"
                    + " (a shutdown hook or a startup step that does not return); halting");
            Runtime.getRuntime().halt(ExitCodes.OK);
        });
    }

    /**
     * Keeps serving, after the last request in flight ended, until the connections already open
     * have been quiet for {@link #LINGER_MILLIS} (or the drain deadline passes): a connection the
     * kernel handed over just before the listener closed, or a keep-alive client about to send,
     * gets its answer (with {@code Connection: close}) instead of a closed socket.
     */
    private void linger() {
        long quietSince = System.nanoTime();
        long served = state.served();
        while (System.nanoTime() < drainDeadline.get()) {
            if (state.inFlight() > 0 || state.served() != served) {
                served = state.served();
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS)) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
