package io.cadre.internal.primary;

import io.cadre.CadreConfig;
import io.cadre.ExitCodes;
import io.cadre.internal.ipc.IpcChannel;
import io.cadre.internal.ipc.Payloads.Cluster;
import io.cadre.internal.ipc.Payloads.Drain;
import java.io.File;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps N workers alive. Every decision runs on one thread, {@code cadre-supervisor}: forks,
 * exits, readiness, restarts with backoff, the crash breaker and shutdown. Other threads (the
 * JDK's process reaper, IPC readers, signal handlers) only post tasks to it, and it never waits on
 * a worker: forks return at once, exits arrive as events, messages go through bounded queues.
 */
final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    /** What a worker gets past the drain timeout before it is killed. UNIT: ms. */
    static final long KILL_GRACE_MILLIS = 5_000;

    private enum Phase { STARTING, RUNNING, STOPPING }

    /** What the supervisor tells the rest of the primary. Called on the supervisor thread. */
    interface Events {
        /** Every worker is ready for the first time (or startup ended degraded with some ready). */
        void listening(int readyWorkers);
    }

    private static final class Slot {
        final int id;
        int generation;
        int restarts;
        WorkerProcess current;
        ScheduledFuture<?> pendingFork;

        Slot(int id) {
            this.id = id;
        }
    }

    private final CadreConfig config;
    private final List<String> command;
    private final Map<String, String> workerEnv;
    private final PrimaryHandle handle;
    private final Events events;
    private final ScheduledThreadPoolExecutor thread;
    private final Map<Integer, Slot> slots = new TreeMap<>();
    private final WorkerConnections connections;
    private final Map<Integer, WorkerProcess> live = new ConcurrentHashMap<>();
    private final CrashBreaker breaker;
    private final Backoff backoff;
    private final SecureRandom random = new SecureRandom();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private Phase phase = Phase.STARTING;
    private boolean forcedKills;

    Supervisor(CadreConfig config, List<String> command, Map<String, String> workerEnv, PrimaryHandle handle, Events events) {
        this.config = config;
        this.command = List.copyOf(command);
        this.workerEnv = Map.copyOf(workerEnv);
        this.handle = handle;
        this.events = events;
        this.thread = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("cadre-supervisor").daemon().factory());
        this.thread.setRemoveOnCancelPolicy(true);
        CadreConfig.Supervision s = config.supervision();
        this.breaker = new CrashBreaker(s.breakerCrashes(), s.breakerWindowMillis());
        this.backoff = new Backoff(s.backoffInitialMillis(), s.backoffMaxMillis());
        this.connections = new WorkerConnections(handle, new WorkerConnections.Events() {
            @Override
            public void helloed(WorkerProcess wp) {
                post(() -> Supervisor.this.helloed(wp));
            }

            @Override
            public void ready(WorkerProcess wp) {
                post(() -> Supervisor.this.ready(wp));
            }

            @Override
            public void closed(WorkerProcess wp, IpcChannel channel) {
                post(() -> handle.workerGone(wp.id, channel));
            }
        });
    }

    /** Takes a connection the IPC server accepted; see {@link WorkerConnections#accepted}. */
    void accepted(SocketChannel socket) {
        connections.accepted(socket);
    }

    /** Forks the workers; the returned future completes with the primary's exit code. */
    CompletableFuture<Integer> start() {
        post(() -> {
            for (int id = 1; id <= config.workers(); id++) {
                Slot slot = new Slot(id);
                slots.put(id, slot);
                fork(slot);
            }
        });
        return exit;
    }

    /** Starts a graceful shutdown; callable from any thread, any number of times. */
    void shutdown(String reason) {
        post(() -> beginShutdown(reason));
    }

    /** Runs {@code task} on the supervisor thread; dropped once the primary has finished. */
    private void post(Runnable task) {
        try {
            thread.execute(guarded(task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the cluster has stopped; late events (a closing channel) have nothing left to change
        }
    }

    /** SIGKILLs every live worker; for the JVM shutdown hook when the primary exits abnormally. */
    void killAll() {
        live.values().forEach(wp -> wp.process.destroyForcibly());
    }

    // ---- forks and exits ----------------------------------------------------------------------

    private void fork(Slot slot) {
        slot.pendingFork = null;
        if (phase == Phase.STOPPING || breaker.isOpen()) {
            return;
        }
        slot.generation++;
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        WorkerProcess wp = new WorkerProcess(slot.id, slot.generation, HexFormat.of().formatHex(secret));
        slot.current = wp;
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.putAll(workerEnv);
        env.put("CADRE_WORKER_ID", Integer.toString(slot.id));
        env.put("CADRE_WORKER_GENERATION", Integer.toString(slot.generation));
        env.put("CADRE_IPC_TOKEN", wp.token);
        env.put("CADRE_SPAWNED_AT", Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now())));
        connections.expect(wp);
        long forkStart = System.nanoTime();
        try {
            wp.process = pb.start();
        } catch (IOException e) {
            connections.forget(wp);
            wp.state = WorkerProcess.State.EXITED;
            crashed(slot, wp, "could not be forked: " + e.getMessage());
            return;
        }
        live.put(slot.id, wp);
        String prefix = config.logPrefix() ? "[worker " + slot.id + "] " : "";
        OutputRelay.start(wp.process.getInputStream(), System.out, prefix, "cadre-relay-" + slot.id + "-out");
        OutputRelay.start(wp.process.getErrorStream(), System.err, prefix, "cadre-relay-" + slot.id + "-err");
        log.info("forked worker {} (pid {}, generation {}) in {} ms", slot.id, wp.pid(), wp.generation,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - forkStart));
        wp.process.onExit().thenRun(() -> post(() -> exited(slot, wp)));
        wp.bootTimer = later(() -> bootTimedOut(wp), config.supervision().bootTimeoutMillis());
    }

    private void exited(Slot slot, WorkerProcess wp) {
        wp.state = WorkerProcess.State.EXITED;
        live.remove(slot.id, wp);
        connections.forget(wp);
        cancel(wp.bootTimer);
        IpcChannel channel = wp.channel;
        handle.workerGone(slot.id, channel);
        if (channel != null) {
            channel.close();
        }
        String how = ExitStatus.describe(wp.process.exitValue());
        long ranMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wp.spawnedAtNanos);
        if (phase == Phase.STOPPING) {
            log.info("{} {} after draining", wp, how);
            finishIfAllGone();
            return;
        }
        if (wp.stoppedBecause != null) {
            log.warn("{} {}; it was stopped because {}", wp, how, wp.stoppedBecause);
        } else {
            log.warn("{} {} after {} ms", wp, how, ranMillis);
        }
        crashed(slot, wp, how);
    }

    private void crashed(Slot slot, WorkerProcess wp, String how) {
        if (breaker.recordCrash(System.currentTimeMillis())) {
            long ready = live.values().stream().filter(w -> w.state == WorkerProcess.State.READY).count();
            log.error("crash breaker open: {} worker crashes within {} s (last: {} {}); no more workers will be forked. "
                            + "The cluster is DEGRADED and serves with {} of {} workers. Fix the cause, then restart Cadre.",
                    breaker.recentCrashes(), breaker.windowMillis() / 1000, wp, how, ready, config.workers());
            handle.broadcastFrame(new Cluster("DEGRADED").frame());
        }
        if (breaker.isOpen()) {
            if (live.isEmpty()) {
                log.error("no worker is left and the crash breaker is open ({} crashes within {} s); the primary exits. Last: {} {}",
                        breaker.recentCrashes(), breaker.windowMillis() / 1000, wp, how);
                finish(ExitCodes.FATAL);
            }
            maybeListening();
            return;
        }
        slot.restarts++;
        long delay = backoff.delayMillis(slot.restarts, random);
        log.info("restarting worker {} in {} ms (restart {} of this slot)", slot.id, delay, slot.restarts);
        slot.pendingFork = later(() -> fork(slot), delay);
    }

    /**
     * Announces the cluster once startup has settled: every slot ready, or, with the breaker open,
     * every slot either ready or given up (the cluster then starts degraded).
     */
    private void maybeListening() {
        if (phase != Phase.STARTING) {
            return;
        }
        int ready = 0;
        for (Slot slot : slots.values()) {
            WorkerProcess wp = slot.current;
            if (wp != null && wp.state == WorkerProcess.State.READY) {
                ready++;
            } else if (slot.pendingFork != null || (wp != null && wp.alive()) || slot.current == null) {
                return; // still coming up
            }
        }
        if (ready > 0) {
            phase = Phase.RUNNING;
            events.listening(ready);
        }
    }

    private void bootTimedOut(WorkerProcess wp) {
        if (wp.state == WorkerProcess.State.STARTING) {
            wp.stoppedBecause = "it was not ready within " + config.supervision().bootTimeoutMillis() + " ms";
            wp.process.destroyForcibly();
        }
    }

    // ---- IPC events ---------------------------------------------------------------------------

    private void helloed(WorkerProcess wp) {
        if (!wp.alive() || phase == Phase.STOPPING) {
            drain(wp);
        }
    }

    private void ready(WorkerProcess wp) {
        if (!wp.alive()) {
            return;
        }
        if (phase == Phase.STOPPING) {
            drain(wp);
            return;
        }
        wp.state = WorkerProcess.State.READY;
        cancel(wp.bootTimer);
        Slot slot = slots.get(wp.id);
        later(() -> {
            if (slot.current == wp && wp.state == WorkerProcess.State.READY) {
                slot.restarts = 0;
            }
        }, config.supervision().stableMillis());
        if (breaker.isOpen()) {
            wp.channel.send(new Cluster("DEGRADED").frame());
        }
        handle.workerReady(wp.id, wp.channel);
        log.info("{} is ready", wp);
        maybeListening();
    }

    // ---- shutdown -----------------------------------------------------------------------------

    private void beginShutdown(String reason) {
        if (phase == Phase.STOPPING) {
            return;
        }
        phase = Phase.STOPPING;
        log.info("{}: draining {} workers (timeout {} ms)", reason, live.size(), config.drainTimeoutMillis());
        for (Slot slot : slots.values()) {
            cancel(slot.pendingFork);
        }
        live.values().forEach(this::drain);
        later(this::killStragglers, config.drainTimeoutMillis() + KILL_GRACE_MILLIS);
        finishIfAllGone();
    }

    private void drain(WorkerProcess wp) {
        if (wp.state == WorkerProcess.State.DRAINING || !wp.alive()) {
            return;
        }
        wp.state = WorkerProcess.State.DRAINING;
        cancel(wp.bootTimer);
        IpcChannel channel = wp.channel;
        if (channel == null || !channel.send(new Drain(config.drainTimeoutMillis()).frame())) {
            wp.process.destroy(); // not connected yet: SIGTERM, which a worker also answers by draining
        }
    }

    private void killStragglers() {
        for (WorkerProcess wp : live.values()) {
            log.error("{} did not exit within the drain timeout; killing it", wp);
            forcedKills = true;
            wp.process.destroyForcibly();
        }
    }

    private void finishIfAllGone() {
        if (live.isEmpty()) {
            finish(forcedKills ? ExitCodes.FATAL : ExitCodes.OK);
        }
    }

    private void finish(int code) {
        if (exit.complete(code)) {
            thread.shutdown();
        }
    }

    /** Schedules {@code task} on the supervisor thread after {@code millis}. */
    private ScheduledFuture<?> later(Runnable task, long millis) {
        return thread.schedule(guarded(task), millis, TimeUnit.MILLISECONDS);
    }

    /** A task whose failure is logged: an executor would keep it silently in a future nobody reads. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("supervisor task failed", e);
            }
        };
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
