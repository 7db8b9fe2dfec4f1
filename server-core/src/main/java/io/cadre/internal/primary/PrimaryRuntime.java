package io.cadre.internal.primary;

import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.ExitCodes;
import io.cadre.Primary;
import io.cadre.internal.Settings;
import io.cadre.internal.ipc.IpcServer;
import io.cadre.internal.util.Proc;
import io.cadre.internal.util.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary process: reserves the port, opens the private IPC socket, installs the signal
 * handlers, runs the app's primary hooks, and hands the workers to the {@link Supervisor}. It never
 * serves a request. Returns its exit code when the cluster has stopped.
 */
public final class PrimaryRuntime {
    private static final Logger log = LoggerFactory.getLogger(PrimaryRuntime.class);

    private PrimaryRuntime() {
    }

    /** The kernel setting that moves connections queued on a closing listener to the others of its SO_REUSEPORT group. */
    static final Path TCP_MIGRATE_REQ = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");

    /**
     * Warns when the kernel will reset connections queued on the listener of a worker that drains
     * (rolling restarts, recycling, scale-down): {@code net.ipv4.tcp_migrate_req} off, or a kernel
     * older than 5.14 that lacks it.
     */
    private static void warnWithoutMigration() {
        String value;
        try {
            value = Files.readString(TCP_MIGRATE_REQ).trim();
        } catch (IOException e) {
            log.warn("this kernel has no net.ipv4.tcp_migrate_req (Linux 5.14+): when a worker drains, connections waiting in "
                    + "its accept queue are reset; rolling restarts can drop a few (docs/operations.md)");
            return;
        }
        if (!value.equals("1")) {
            log.warn("net.ipv4.tcp_migrate_req is {}: when a worker drains, connections waiting in its accept queue are reset "
                    + "instead of moving to another worker; set it with: sysctl -w net.ipv4.tcp_migrate_req=1 (docs/operations.md)", value);
        }
    }

    /** Runs the primary until the cluster stops; returns the exit code. */
    public static int run(App app, Settings settings, String[] args, Map<String, String> env) {
        try {
            Proc.requireLinux("Cadre");
        } catch (UnsupportedOperationException e) {
            System.err.println("cadre: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Optional<Path> training = settings.aotTrain();
        CadreConfig config = settings.config();
        if (training.isPresent()) {
            if (!AotTraining.supported()) {
                System.err.println("cadre: --aot-train needs JDK 25 or newer (this is " + Runtime.version().feature()
                        + "); no AOT cache written");
                return ExitCodes.OK;
            }
            config = AotTraining.configure(config, training.get());
        }
        RuntimeDir dir;
        try {
            dir = RuntimeDir.create(env);
        } catch (IOException e) {
            System.err.println("cadre: cannot prepare the runtime directory: " + e.getMessage());
            return ExitCodes.FATAL;
        }
        PortReservation port = null;
        IpcServer ipc = null;
        io.cadre.internal.metrics.AdminServer admin = null;
        IpcServer control = null;
        java.util.Deque<io.cadre.Extension> startedExtensions = new java.util.ArrayDeque<>();
        try {
            if (training.isPresent()) {
                Files.deleteIfExists(training.get());
                Files.deleteIfExists(AotFingerprint.fileFor(training.get()));
            }
            port = PortReservation.acquire(dir.base(), config.host(), config.port());
            int boundPort = port.port();
            WorkerCommand command = WorkerCommand.of(config, args, env, training.isEmpty());
            PrimaryHandle handle = new PrimaryHandle(settings.appOptions());
            Map<String, String> workerEnv = new HashMap<>();
            workerEnv.put("CADRE_IPC", dir.ipcSocket().toString());
            workerEnv.put("CADRE_PRIMARY_PID", Long.toString(ProcessHandle.current().pid()));
            workerEnv.put("CADRE_BIND_HOST", config.host());
            workerEnv.put("CADRE_BIND_PORT", Integer.toString(boundPort));
            workerEnv.put("CADRE_WORKER_COUNT", Integer.toString(config.workers()));
            workerEnv.put("CADRE_RUNTIME_BASE", dir.base().toString());
            StringBuilder description = new StringBuilder();
            for (io.cadre.Extension extension : app.extensions()) {
                io.cadre.ExtensionContext context = new io.cadre.ExtensionContext(settings.appOptions(), env, dir.base(), 0,
                        ProcessHandle.current().pid(), config.workers(), config.drainTimeoutMillis());
                io.cadre.Extension.Started started;
                try {
                    started = extension.startPrimary(context);
                } catch (IllegalArgumentException e) {
                    System.err.println("cadre: " + e.getMessage()); // a bad option: say which, no stack trace
                    return ExitCodes.USAGE;
                } catch (Exception e) {
                    System.err.println("cadre: " + extension.name() + " failed to start: " + e.getMessage());
                    return ExitCodes.FATAL;
                }
                startedExtensions.addFirst(extension);
                workerEnv.putAll(started.workerEnvironment());
                if (!started.description().isBlank()) {
                    description.append("; ").append(extension.name()).append(": ").append(started.description());
                }
            }
            if (config.operations().adminPort() != -1) { // /metrics on the loopback admin port (docs/operations.md)
                admin = io.cadre.internal.metrics.AdminServer.start(config.operations().adminPort(), handle.metrics().enable());
                description.append("; metrics: ").append(admin.url());
            }
            String url = "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + boundPort;
            AtomicReference<Supervisor> self = new AtomicReference<>();
            Supervisor supervisor = new Supervisor(config, command, workerEnv, handle, ready -> {
                System.out.println("cadre listening on " + url + " (" + ready + " workers)" + description);
                System.out.flush();
                training.ifPresent(cache -> AotTraining.start(boundPort, AotTraining.paths(app, settings.aotTrainPaths()),
                        () -> self.get().shutdown("AOT training done")));
            });
            self.set(supervisor);
            ipc = IpcServer.open(dir.ipcSocket(), dir.owner(), supervisor::accepted);
            control = Control.open(dir.instance(), dir.owner(), supervisor, boundPort, config.drainTimeoutMillis());
            AtomicBoolean stopped = new AtomicBoolean();
            Signals.handle("TERM", () -> supervisor.shutdown("SIGTERM"));
            Signals.handle("INT", () -> supervisor.shutdown("SIGINT"));
            if (!Signals.handle("HUP", () -> supervisor.reload("SIGHUP").thenAccept(o -> log.info("SIGHUP: {}", o.text())))) {
                log.warn("SIGHUP is ignored in this process (started with nohup?): rolling restarts only through "
                        + "'ctl reload' (docs/operations.md)");
            }
            Signals.handle("TTIN", () -> supervisor.scaleBy(1).thenAccept(o -> log.info("SIGTTIN: {}", o.text())));
            Signals.handle("TTOU", () -> supervisor.scaleBy(-1).thenAccept(o -> log.info("SIGTTOU: {}", o.text())));
            warnWithoutMigration();
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("cadre-primary-exit").unstarted(() -> {
                if (!stopped.get()) {
                    supervisor.killAll(); // an exit we did not plan: leave no worker behind
                }
            }));
            for (Consumer<Primary> hook : app.primaryHooks()) {
                hook.accept(handle);
            }
            log.info("cadre primary (pid {}) starting {} workers on {}", ProcessHandle.current().pid(), config.workers(), url);
            for (io.cadre.internal.route.RouteSpec route : app.routes()) {
                log.info("route {} -> {} on {}{}", route, route.source(), route.model(),
                        route.compute() == null ? "" : " " + route.compute());
            }
            int code = supervisor.start().join();
            stopped.set(true);
            if (training.isPresent()) {
                code = AotTraining.finish(training.get(), code);
            }
            log.info("cadre primary exits with code {}", code);
            return code;
        } catch (PortReservation.RefusedException e) {
            System.err.println("cadre: " + e.getMessage());
            return ExitCodes.PORT_REFUSED;
        } catch (IOException e) {
            System.err.println("cadre: " + e.getMessage());
            return ExitCodes.FATAL;
        } finally {
            for (io.cadre.Extension extension : startedExtensions) {
                try {
                    extension.stop();
                } catch (RuntimeException e) {
                    log.warn("{} failed to stop: {}", extension.name(), e.toString());
                }
            }
            if (control != null) {
                control.close();
            }
            if (admin != null) {
                admin.close();
            }
            if (ipc != null) {
                ipc.close();
            }
            if (port != null) {
                port.close();
            }
            dir.close();
        }
    }
}
