package io.cadre.internal.primary;

import io.cadre.CadreConfig;
import io.cadre.ExitCodes;
import io.cadre.internal.ipc.IpcChannel;
import io.cadre.internal.ipc.Payloads.Cluster;
import io.cadre.internal.ipc.Payloads.Drain;
import io.cadre.internal.ipc.Payloads.Dump;
import io.cadre.internal.ipc.Payloads.Dumped;
import io.cadre.internal.util.Signals;
import io.cadre.internal.worker.WorkerEnv;
import java.io.File;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the workers alive and operates them. Every decision runs on one thread,
 * {@code cadre-supervisor}: forks, exits, readiness, restarts with backoff, the crash breaker,
 * hung-worker detection, recycling, rolling restarts, scaling and shutdown. Other threads (the
 * JDK's process reaper, IPC readers, signal handlers, the control socket) only post tasks to it,
 * and it never waits on a worker: forks return at once, exits arrive as events, messages go through
 * bounded queues.
 *
 * <p>A slot (worker id) has one serving worker ({@code current}) and, while it is being replaced,
 * a second one ({@code next}): the new worker starts and must be ready before the old one drains
 * (surge, then drain). Rolling restarts, recycling (max requests, memory) and scale-down all go
 * through that one path, so a replaced worker never costs a request.
 */
final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    /** What a worker gets past the drain timeout before it is killed. UNIT: ms. */
    static final long KILL_GRACE_MILLIS = 5_000;
    /** How often the supervisor looks at heartbeats and vital signs. UNIT: ms. */
    static final long TICK_MILLIS = 500;
    /** How long a hung worker gets to print its thread dump before it is killed. UNIT: ms. */
    static final long DUMP_GRACE_MILLIS = 1_000;
    /** How long a failed replacement keeps its slot from being recycled again. UNIT: ms. */
    static final long REPLACE_RETRY_MILLIS = 60_000;

    private enum Phase { STARTING, RUNNING, STOPPING }

    /** What the supervisor tells the rest of the primary. Called on the supervisor thread. */
    interface Events {
        /** Every worker is ready for the first time (or startup ended degraded with some ready). */
        void listening(int readyWorkers);
    }

    /** The answer to a control command: whether it worked, and what to tell the operator. */
    record Outcome(boolean ok, String text) {
    }

    /** One line of {@code ctl status}. */
    record WorkerRow(int id, long pid, String state, int generation, long uptimeMillis, int restarts, long rssBytes, long heapUsedBytes,
            long requests, double ratePerSecond, int computeQueue) {
    }

    /** What {@code ctl status} shows. */
    record Status(List<WorkerRow> workers, int wanted, boolean breakerOpen, String rollout) {
    }

    /** The classpath changed since the cache was checked: forks go without it. */
    private boolean aotStale;

    /** The last generation forked for each slot id, kept after a slot is removed (its id may come back). */
    private final Map<Integer, Integer> lastGeneration = new HashMap<>();

    private static final class Slot {
        final int id;
        int generation;
        int restarts;
        WorkerProcess current;
        /** The replacement being started (surge); null when none. */
        WorkerProcess next;
        String nextReason;
        /** The restart cause the metrics count the replacement under ({@code rollout}, {@code max_requests}, {@code memory}). */
        String nextCause;
        ScheduledFuture<?> pendingFork;
        /** Scaled down: its worker drains and the slot goes away. */
        boolean removing;
        long noReplaceBeforeNanos;

        Slot(int id) {
            this.id = id;
        }
    }

    /** A rolling restart in progress. */
    private static final class Rollout {
        final String why;
        /** Told each step as it happens (ctl reload prints them); called on the supervisor thread. */
        final java.util.function.Consumer<String> progress;
        final Deque<Integer> pending = new ArrayDeque<>();
        /** Slot id to the worker it replaces: only that worker's exit completes the slot's step. */
        final Map<Integer, WorkerProcess> active = new HashMap<>();
        final CompletableFuture<Outcome> done = new CompletableFuture<>();
        final long startedNanos = System.nanoTime();
        int replaced;
        String failure;

        Rollout(String why, java.util.function.Consumer<String> progress) {
            this.why = why;
            this.progress = progress;
        }

        int total() {
            return replaced + active.size() + pending.size();
        }
    }

    private final CadreConfig config;
    private final WorkerCommand command;
    /** A worker's JVM refused the AOT cache: later workers start without it. */
    private boolean aotRefused;
    private final Map<String, String> workerEnv;
    private final PrimaryHandle handle;
    private final Events events;
    private final ScheduledThreadPoolExecutor thread;
    private final Map<Integer, Slot> slots = new TreeMap<>();
    private final WorkerConnections connections;
    private final Set<WorkerProcess> live = ConcurrentHashMap.newKeySet();
    private final CrashBreaker breaker;
    private final Backoff backoff;
    private final SecureRandom random = new SecureRandom();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Map<Long, CompletableFuture<Outcome>> dumps = new HashMap<>();
    private long dumpRequests;
    private Phase phase = Phase.STARTING;
    private boolean forcedKills;
    private Rollout rollout;
    private final BootPriority bootPriority;

    Supervisor(CadreConfig config, WorkerCommand command, Map<String, String> workerEnv, PrimaryHandle handle, Events events) {
        this.config = config;
        this.command = command;
        this.workerEnv = Map.copyOf(workerEnv);
        this.handle = handle;
        this.events = events;
        this.thread = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("cadre-supervisor").daemon().factory());
        this.thread.setRemoveOnCancelPolicy(true);
        CadreConfig.Supervision s = config.supervision();
        this.breaker = new CrashBreaker(s.breakerCrashes(), s.breakerWindowMillis());
        this.backoff = new Backoff(s.backoffInitialMillis(), s.backoffMaxMillis());
        this.bootPriority = BootPriority.detect(config.operations().bootNice(),
                (config.compute().niceness() > 0 || config.compute().idleScheduling()) && !config.compute().virtualThreads());
        if (bootPriority.offBecause != null) {
            log.info("replacement workers boot at normal priority, not {} nicer (--boot-nice): {}", config.operations().bootNice(),
                    bootPriority.offBecause);
        }
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
            public void dumped(WorkerProcess wp, Dumped dumped) {
                post(() -> Supervisor.this.dumped(wp, dumped));
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
            if (phase == Phase.STOPPING) {
                return; // stopped (SIGTERM, ctl stop) while the app's primary hooks ran: nothing to start
            }
            for (int id = 1; id <= config.workers(); id++) {
                Slot slot = new Slot(id);
                slots.put(id, slot);
                fork(slot, false);
            }
        });
        try {
            thread.scheduleWithFixedDelay(guarded(this::tick), TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // already finished: a stop came before the start, with no worker to drain
        }
        return exit;
    }

    /** Starts a graceful shutdown; callable from any thread, any number of times. */
    void shutdown(String reason) {
        post(() -> beginShutdown(reason));
    }

    /** Replaces every worker, {@code rolloutBatch} at a time, surge then drain; completes when done or stopped. */
    CompletableFuture<Outcome> reload(String why) {
        return reload(why, step -> { });
    }

    /** The same, telling {@code progress} each step (a new worker ready, an old one gone) as it happens. */
    CompletableFuture<Outcome> reload(String why, java.util.function.Consumer<String> progress) {
        return ask(() -> startRollout(why, progress));
    }

    /** Sets the number of workers: new ones are forked, surplus ones drain. */
    CompletableFuture<Outcome> scale(int workers) {
        return ask(() -> CompletableFuture.completedFuture(scaleTo(workers)));
    }

    /** Adds ({@code +1}) or removes ({@code -1}) one worker, as SIGTTIN and SIGTTOU do. */
    CompletableFuture<Outcome> scaleBy(int delta) {
        return ask(() -> CompletableFuture.completedFuture(scaleTo(wanted() + delta)));
    }

    /** Every worker's line of {@code ctl status}. */
    CompletableFuture<Status> status() {
        CompletableFuture<Status> answer = new CompletableFuture<>();
        post(() -> answer.complete(snapshot()));
        return answer;
    }

    /** Asks worker {@code id} for a thread ({@code threads}) or heap ({@code heap}) dump. */
    CompletableFuture<Outcome> dump(int id, String kind) {
        return ask(() -> startDump(id, kind));
    }

    private CompletableFuture<Outcome> ask(java.util.function.Supplier<CompletableFuture<Outcome>> action) {
        CompletableFuture<Outcome> answer = new CompletableFuture<>();
        post(() -> action.get().whenComplete((o, e) -> answer.complete(e == null ? o : new Outcome(false, e.toString()))));
        if (thread.isShutdown()) {
            answer.complete(new Outcome(false, "the primary is stopping"));
        }
        return answer;
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
        live.forEach(wp -> wp.process.destroyForcibly());
    }

    // ---- forks and exits ----------------------------------------------------------------------

    /** Forks a worker for {@code slot}: its serving worker, or ({@code surge}) the replacement of it. */
    private void fork(Slot slot, boolean surge) {
        if (!surge) {
            slot.pendingFork = null;
        }
        if (phase == Phase.STOPPING || breaker.isOpen() || slot.removing) {
            if (!surge) {
                maybeListening(); // this slot is given up: startup may be settled now
            }
            return;
        }
        slot.generation++;
        lastGeneration.put(slot.id, slot.generation);
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        WorkerProcess wp = new WorkerProcess(slot.id, slot.generation, HexFormat.of().formatHex(secret));
        long max = config.operations().maxRequests();
        wp.requestLimit = max <= 0 ? 0 : max - (long) (random.nextDouble() * 0.1 * max); // jitter: not all at once
        if (surge) {
            slot.next = wp;
        } else {
            slot.current = wp;
        }
        boolean stale = command.aotCache() != null && !aotRefused && !command.classpathUnchanged();
        boolean withCache = command.aotCache() != null && !aotRefused && !stale;
        if (stale) {
            if (!aotStale) {
                aotStale = true;
                log.warn("the jar changed on disk since the primary started: workers start without the AOT cache {}, which was built"
                        + " for the old one (slower starts). Rebuild it: java -jar APP.jar --aot-train {}", command.aotCache(),
                        command.aotCache());
            }
        }
        List<String> cmd = withCache ? command.command() : command.withoutAotCache();
        wp.bootNiced = surge && bootPriority.enabled();
        ProcessBuilder pb = new ProcessBuilder(wp.bootNiced ? bootPriority.lowered(cmd) : cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.putAll(workerEnv);
        env.put("CADRE_WORKER_ID", Integer.toString(slot.id));
        env.put("CADRE_WORKER_GENERATION", Integer.toString(slot.generation));
        env.put("CADRE_IPC_TOKEN", wp.token);
        env.put("CADRE_SPAWNED_AT", Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now())));
        env.put(WorkerEnv.REPLACEMENT, surge ? "1" : "0");
        connections.expect(wp);
        long forkStart = System.nanoTime();
        try {
            wp.process = pb.start();
        } catch (IOException e) {
            connections.forget(wp);
            wp.state = WorkerProcess.State.EXITED;
            if (surge) {
                slot.next = null;
                replacementFailed(slot, wp, "could not be forked: " + e.getMessage());
            } else {
                crashed(slot, wp, "could not be forked: " + e.getMessage());
            }
            return;
        }
        live.add(wp);
        String prefix = config.logPrefix() ? "[worker " + slot.id + "] " : "";
        java.util.function.Predicate<String> watch = withCache ? line -> watchJvmStart(wp, line) : null;
        CompletableFuture<Void> out = OutputRelay.start(wp.process.getInputStream(), System.out, prefix, "cadre-relay-" + slot.id + "-out", watch);
        CompletableFuture<Void> err = OutputRelay.start(wp.process.getErrorStream(), System.err, prefix, "cadre-relay-" + slot.id + "-err", watch);
        log.info("forked worker {} (pid {}, generation {}) in {} ms{}", slot.id, wp.pid(), wp.generation,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - forkStart), surge ? " to replace " + slot.current + " (" + slot.nextReason + ")"
                        + (wp.bootNiced ? ", booting at nice " + bootPriority.bootNice() : "") : "");
        // A JVM that exits before its worker said hello may have refused the AOT cache: its last
        // lines say so, and are read (briefly, boundedly) before the exit is judged.
        wp.process.onExit()
                .thenCompose(p -> withCache && wp.channel == null
                        ? CompletableFuture.allOf(out, err).completeOnTimeout(null, 500, TimeUnit.MILLISECONDS)
                        : CompletableFuture.completedFuture(null))
                .thenRun(() -> post(() -> exited(slot, wp)));
        wp.bootTimer = later(() -> bootTimedOut(wp), config.supervision().bootTimeoutMillis());
        if (wp.bootNiced) { // a low priority must not turn into a boot timeout on a host with no CPU to spare
            long patience = config.supervision().bootTimeoutMillis() / 2;
            later(() -> {
                if (wp.state == WorkerProcess.State.STARTING) {
                    restorePriority(wp, "not ready after " + patience + " ms");
                }
            }, patience);
        }
    }

    /** Gives a worker forked at the lower boot priority the normal one back, once. */
    private void restorePriority(WorkerProcess wp, String why) {
        if (!wp.bootNiced) {
            return;
        }
        wp.bootNiced = false;
        int lowered = bootPriority.bootNice();
        bootPriority.restore(wp.pid()).whenComplete((threads, e) -> {
            if (e != null) {
                log.warn("{} keeps its boot priority (nice {}): {}", wp, lowered,
                        (e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e).getMessage());
            } else {
                log.info("{} booted at nice {}; {}: {} threads back at nice {}", wp, lowered, why, threads, bootPriority.base);
            }
        });
    }

    /** Watches what a worker's JVM prints until the worker says hello; false: no more lines wanted. */
    private boolean watchJvmStart(WorkerProcess wp, String line) {
        if (WorkerCommand.refusesAotCache(line)) {
            wp.refusedAotCache = true;
            post(() -> dropAotCache(wp));
            return false;
        }
        return wp.channel == null;
    }

    /** A worker's JVM refused the AOT cache: later workers start without it. */
    private void dropAotCache(WorkerProcess wp) {
        if (aotRefused) {
            return;
        }
        aotRefused = true;
        log.warn("{} could not use the AOT cache {} with these worker JVM options (the JVM's reason is in its lines above);"
                + " workers start without it from now on, more slowly. Train a cache with the same options:"
                + " java -jar APP.jar --aot-train {} (docs/operations.md)", wp, command.aotCache(), command.aotCache());
    }

    private void exited(Slot slot, WorkerProcess wp) {
        wp.state = WorkerProcess.State.EXITED;
        live.remove(wp);
        connections.forget(wp);
        cancel(wp.bootTimer);
        for (long request : wp.dumps) {
            CompletableFuture<Outcome> waiting = dumps.remove(request);
            if (waiting != null) {
                waiting.complete(new Outcome(false, wp + " exited before it wrote the dump"));
            }
        }
        IpcChannel channel = wp.channel;
        handle.metrics().processGone(slot.id, wp.generation);
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
        if (wp.retired) {
            log.info("{} {} after draining ({})", wp, how, wp.stoppedBecause);
            if (slot.removing && slot.current == wp) {
                slots.remove(slot.id);
                handle.metrics().slotRemoved(slot.id);
                log.info("worker {} removed; {} workers now", slot.id, wanted());
            }
            Rollout r = rollout;
            if (r != null && r.active.remove(slot.id, wp)) {
                r.replaced++;
                tell(r, "worker " + slot.id + ": " + wp + " " + how + " after draining (" + r.replaced + " of " + r.total() + " replaced)");
            }
            advanceRollout(); // a step of it, or a recycle it waited for, is done
            return;
        }
        if (wp.refusedAotCache && wp.channel == null && wp.stoppedBecause == null && (slot.current == wp || slot.next == wp)) {
            // not the app's crash: the JVM would not start with the cache, and the next one starts without it
            dropAotCache(wp);
            boolean surge = slot.next == wp;
            if (!breaker.isOpen() && !slot.removing) {
                log.info("{} {} at JVM start because it refused the AOT cache; forking it again without the cache", wp, how);
                if (surge) {
                    slot.next = null;
                }
                fork(slot, surge);
                return;
            }
        }
        if (slot.next == wp) {
            slot.next = null;
            replacementFailed(slot, wp, (wp.stoppedBecause != null ? wp.stoppedBecause + ": " : "") + how + " before it was ready");
            if (slot.current != null && !slot.current.alive() && slot.pendingFork == null) {
                crashed(slot, wp, how); // the worker it was to replace died meanwhile: the slot needs a worker
            }
            return;
        }
        if (slot.current != wp) {
            log.info("{} {}", wp, how); // an earlier incarnation, already replaced
            return;
        }
        if (wp.stoppedBecause != null) {
            log.warn("{} {}; it was stopped because {}", wp, how, wp.stoppedBecause);
        } else {
            log.warn("{} {} after {} ms", wp, how, ranMillis);
        }
        Rollout r = rollout;
        if (r != null) {
            r.active.remove(slot.id, wp); // its replacement may still take over the slot, but this step is over
            failRollout(wp + " " + how + " during the rollout");
        }
        handle.metrics().restart(slot.id, wp.hung ? "hang" : wp.state == WorkerProcess.State.STARTING ? "boot_failure" : "crash");
        crashed(slot, wp, how);
    }

    private void crashed(Slot slot, WorkerProcess wp, String how) {
        if (slot.removing) {
            slots.remove(slot.id);
            handle.metrics().slotRemoved(slot.id);
            return;
        }
        if (breaker.recordCrash(System.currentTimeMillis())) {
            long ready = live.stream().filter(w -> w.state == WorkerProcess.State.READY).count();
            log.error("crash breaker open: {} worker crashes within {} s (last: {} {}); no more workers will be forked. "
                            + "The cluster is DEGRADED and serves with {} of {} workers. Fix the cause, then restart Cadre.",
                    breaker.recentCrashes(), breaker.windowMillis() / 1000, wp, how, ready, wanted());
            handle.broadcastFrame(new Cluster("DEGRADED").frame());
            handle.metrics().breakerOpen(true);
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
        if (slot.next != null && slot.next.alive()) {
            // the replacement that was booting takes the slot over once it is ready (or, if it fails, a fork follows then)
            log.info("worker {}: {} takes over when it is ready", slot.id, slot.next);
            return;
        }
        slot.restarts++;
        long delay = backoff.delayMillis(slot.restarts, random);
        log.info("restarting worker {} in {} ms (restart {} of this slot)", slot.id, delay, slot.restarts);
        slot.pendingFork = later(() -> fork(slot, false), delay);
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
        Slot slot = slots.get(wp.id);
        if (slot == null || (slot.current != wp && slot.next != wp)) {
            drain(wp); // its slot was removed meanwhile
            return;
        }
        wp.state = WorkerProcess.State.READY;
        cancel(wp.bootTimer);
        if (slot.next == wp) {
            WorkerProcess old = slot.current;
            slot.current = wp;
            slot.next = null;
            log.info("{} is ready and replaces {} ({})", wp, old, slot.nextReason);
            Rollout r = rollout;
            if (r != null && r.active.containsKey(slot.id)) {
                tell(r, "worker " + slot.id + ": " + wp + " ready " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wp.spawnedAtNanos)
                        + " ms after its fork; " + old + " drains");
            }
            restorePriority(wp, "ready");
            if (old != null && old.alive()) {
                retire(old, "replaced by generation " + wp.generation + ": " + slot.nextReason);
            }
            handle.metrics().restart(slot.id, slot.nextCause);
        } else {
            log.info("{} is ready", wp);
        }
        later(() -> {
            if (slot.current == wp && wp.state == WorkerProcess.State.READY) {
                slot.restarts = 0;
            }
        }, config.supervision().stableMillis());
        if (breaker.isOpen()) {
            wp.channel.send(new Cluster("DEGRADED").frame());
        }
        handle.workerReady(wp.id, wp.channel);
        maybeListening();
    }

    // ---- replacement: surge, then drain --------------------------------------------------------

    /** Starts a replacement for {@code slot}'s serving worker, counted under {@code cause}; false when one cannot start now. */
    private boolean replace(Slot slot, String cause, String why) {
        WorkerProcess current = slot.current;
        if (phase != Phase.RUNNING || breaker.isOpen() || slot.next != null || slot.removing || current == null
                || current.state != WorkerProcess.State.READY) {
            return false;
        }
        slot.nextReason = why;
        slot.nextCause = cause;
        fork(slot, true);
        return slot.next != null;
    }

    /** Drains {@code wp} on purpose: its exit is expected, not a crash. */
    private void retire(WorkerProcess wp, String why) {
        wp.retired = true;
        wp.stoppedBecause = why;
        drain(wp);
        later(() -> {
            if (wp.alive()) {
                log.error("{} did not exit within the drain timeout; killing it", wp);
                wp.process.destroyForcibly();
            }
        }, config.drainTimeoutMillis() + KILL_GRACE_MILLIS);
    }

    /** A replacement died or stayed unready: the old worker keeps serving. */
    private void replacementFailed(Slot slot, WorkerProcess wp, String how) {
        slot.noReplaceBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLACE_RETRY_MILLIS);
        log.error("{}, started to replace {} ({}), {}; {} keeps serving", wp, slot.current, slot.nextReason, how, slot.current);
        if (rollout != null && rollout.active.remove(slot.id) != null) {
            failRollout(wp + " " + how);
        } else {
            advanceRollout(); // a recycle's replacement failed: a rollout waiting for it may go on
        }
    }

    // ---- rolling restart ------------------------------------------------------------------------

    private CompletableFuture<Outcome> startRollout(String why, java.util.function.Consumer<String> progress) {
        if (phase != Phase.RUNNING) {
            return CompletableFuture.completedFuture(new Outcome(false, "the cluster is " + phase.name().toLowerCase() + "; no rollout"));
        }
        if (rollout != null) {
            return CompletableFuture.completedFuture(new Outcome(false, "a rollout is already running (" + rollout.why + "): "
                    + rollout.replaced + " of " + (rollout.replaced + rollout.active.size() + rollout.pending.size()) + " replaced"));
        }
        if (breaker.isOpen()) {
            return CompletableFuture.completedFuture(new Outcome(false, "the crash breaker is open; restart Cadre instead"));
        }
        Rollout r = new Rollout(why, progress);
        for (Slot slot : slots.values()) {
            if (!slot.removing) {
                r.pending.add(slot.id);
            }
        }
        rollout = r;
        log.info("rolling restart ({}): replacing {} workers, {} at a time, each new one ready before the old one drains", why,
                r.pending.size(), config.operations().rolloutBatch());
        tell(r, "replacing " + r.pending.size() + " workers, " + config.operations().rolloutBatch()
                + " at a time: each new one ready before the old one drains");
        advanceRollout();
        return r.done;
    }

    private void advanceRollout() {
        Rollout r = rollout;
        if (r == null) {
            return;
        }
        List<Integer> busy = new ArrayList<>();
        while (r.failure == null && r.active.size() < config.operations().rolloutBatch() && !r.pending.isEmpty()) {
            int id = r.pending.poll();
            Slot slot = slots.get(id);
            if (slot == null || slot.removing) {
                continue;
            }
            if (slot.next != null) {
                busy.add(id); // a recycle is replacing it: its turn comes once that is settled
                continue;
            }
            if (!replace(slot, "rollout", "rolling restart (" + r.why + ")")) {
                failRollout("worker " + id + " cannot be replaced now: " + (slot.current == null ? "it has no worker"
                        : slot.current + " is " + slot.current.state.name().toLowerCase()));
                break;
            }
            r.active.put(id, slot.current);
            tell(r, "worker " + id + ": started " + slot.next + " to replace " + slot.current
                    + (slot.next.bootNiced ? ", booting at nice " + bootPriority.bootNice() : ""));
        }
        if (r.failure == null) {
            for (int id : busy) {
                tell(r, "worker " + id + ": waits for the replacement a recycle started");
            }
            r.pending.addAll(busy);
        }
        if (r.active.isEmpty() && (r.pending.isEmpty() || r.failure != null)) {
            rollout = null;
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - r.startedNanos);
            if (r.failure == null) {
                log.info("rolling restart ({}) done: {} workers replaced in {} ms", r.why, r.replaced, took);
                r.done.complete(new Outcome(true, "rolling restart done: " + r.replaced + " workers replaced in " + took + " ms"));
            } else {
                log.error("rolling restart ({}) stopped after {} replaced: {}; the workers not yet replaced keep serving", r.why,
                        r.replaced, r.failure);
                r.done.complete(new Outcome(false, "rolling restart stopped after " + r.replaced + " replaced: " + r.failure
                        + "; the workers not yet replaced keep serving"));
            }
        }
    }

    /** One step of a rollout for whoever asked for it; a listener's failure never stops the rollout. */
    private static void tell(Rollout r, String step) {
        try {
            r.progress.accept(step);
        } catch (RuntimeException e) {
            log.debug("rollout progress listener failed", e);
        }
    }

    private void failRollout(String why) {
        Rollout r = rollout;
        if (r != null && r.failure == null) {
            r.failure = why;
            r.pending.clear();
        }
        advanceRollout();
    }

    // ---- scaling ------------------------------------------------------------------------------------

    private int wanted() {
        return (int) slots.values().stream().filter(s -> !s.removing).count();
    }

    private Outcome scaleTo(int workers) {
        if (phase != Phase.RUNNING) {
            return new Outcome(false, "the cluster is " + phase.name().toLowerCase() + "; it cannot scale now");
        }
        if (workers < 1 || workers > CadreConfig.MAX_WORKERS) {
            return new Outcome(false, "the number of workers must be 1.." + CadreConfig.MAX_WORKERS + ", was " + workers);
        }
        if (rollout != null) {
            return new Outcome(false, "a rollout is running; scale when it is done");
        }
        int now = wanted();
        if (workers > now && breaker.isOpen()) {
            return new Outcome(false, "the crash breaker is open: no new worker would start; fix the cause and restart Cadre");
        }
        if (workers > now) {
            int next = slots.isEmpty() ? 1 : ((TreeMap<Integer, Slot>) slots).lastKey() + 1;
            for (int i = now; i < workers; i++) {
                Slot slot = new Slot(next++);
                // a reused id goes on from its last generation: the metrics tell processes apart by
                // slot and generation, and would take the new worker's counts for a dead one's
                slot.generation = lastGeneration.getOrDefault(slot.id, 0);
                slots.put(slot.id, slot);
                fork(slot, false);
            }
            log.info("scaling up from {} to {} workers", now, workers);
        } else if (workers < now) {
            List<Slot> surplus = new ArrayList<>(slots.values().stream().filter(s -> !s.removing).toList()).reversed().subList(0, now - workers);
            for (Slot slot : surplus) {
                slot.removing = true;
                cancel(slot.pendingFork);
                if (slot.next != null) {
                    slot.next.stoppedBecause = "scaled down";
                    slot.next.retired = true;
                    slot.next.process.destroyForcibly();
                    slot.next = null;
                }
                if (slot.current != null && slot.current.alive()) {
                    retire(slot.current, "scaled down");
                } else {
                    slots.remove(slot.id);
                    handle.metrics().slotRemoved(slot.id);
                }
            }
            log.info("scaling down from {} to {} workers: draining worker {}", now, workers,
                    surplus.stream().map(s -> Integer.toString(s.id)).toList());
        }
        return new Outcome(true, now == workers ? "already " + workers + " workers" : "scaling from " + now + " to " + workers + " workers");
    }

    // ---- hung workers, recycling ---------------------------------------------------------------

    /** Looks at every worker's heartbeat and vital signs. */
    private void tick() {
        long now = System.nanoTime();
        long hangNanos = TimeUnit.MILLISECONDS.toNanos(config.operations().hangTimeoutMillis());
        for (WorkerProcess wp : live) {
            long silent = now - wp.lastHeartbeatNanos;
            if (wp.state == WorkerProcess.State.READY && !wp.hung && silent > hangNanos) {
                hung(wp, TimeUnit.NANOSECONDS.toMillis(silent));
            }
            long requests = wp.vitals.requests();
            double seconds = (now - wp.rateAtNanos) / 1e9;
            if (seconds >= 1) {
                double instant = Math.max(0, requests - wp.rateRequests) / seconds;
                wp.rate = wp.rate == 0 ? instant : 0.5 * wp.rate + 0.5 * instant;
                wp.rateRequests = requests;
                wp.rateAtNanos = now;
            }
        }
        if (phase != Phase.RUNNING || rollout != null) {
            return;
        }
        CadreConfig.Operations ops = config.operations();
        for (Slot slot : List.copyOf(slots.values())) {
            WorkerProcess wp = slot.current;
            if (wp == null || wp.state != WorkerProcess.State.READY || wp.hung || slot.next != null || now < slot.noReplaceBeforeNanos) {
                continue;
            }
            long requests = wp.vitals.requests();
            long rss = wp.vitals.rssBytes();
            if (wp.requestLimit > 0 && requests >= wp.requestLimit) {
                replace(slot, "max_requests", "served " + requests + " requests (limit " + wp.requestLimit + ")");
            } else if (ops.maxMemoryBytes() > 0 && rss > ops.maxMemoryBytes()) {
                replace(slot, "memory", "resident memory " + (rss >> 20) + " MB over the limit of " + (ops.maxMemoryBytes() >> 20) + " MB");
            }
        }
    }

    /** {@code wp} sent no heartbeat for too long: a thread dump to the log, then kill and replace. */
    private void hung(WorkerProcess wp, long silentMillis) {
        wp.hung = true;
        log.error("{} sent no heartbeat for {} ms (hang timeout {} ms): asking for a thread dump (SIGQUIT; it follows in this "
                        + "primary's stdout, lines prefixed [worker {}]), then killing and replacing it in {} ms",
                wp, silentMillis, config.operations().hangTimeoutMillis(), wp.id, DUMP_GRACE_MILLIS);
        Thread.ofVirtual().name("cadre-sigquit").start(() -> Signals.send(wp.pid(), "QUIT"));
        later(() -> {
            if (wp.alive()) {
                wp.stoppedBecause = "it hung: no heartbeat for " + silentMillis + " ms";
                wp.process.destroyForcibly();
            }
        }, DUMP_GRACE_MILLIS);
    }

    // ---- status and dumps ----------------------------------------------------------------------

    private Status snapshot() {
        List<WorkerRow> rows = new ArrayList<>();
        long now = System.nanoTime();
        for (Slot slot : slots.values()) {
            for (WorkerProcess wp : new WorkerProcess[] {slot.current, slot.next}) {
                if (wp == null || !wp.alive()) {
                    continue;
                }
                String state = wp.hung ? "hung" : wp.retired ? "draining" : wp.state.name().toLowerCase();
                if (wp == slot.next) {
                    state = "starting (replacement)";
                }
                rows.add(new WorkerRow(slot.id, wp.pid(), state, wp.generation, TimeUnit.NANOSECONDS.toMillis(now - wp.spawnedAtNanos),
                        slot.restarts, wp.vitals.rssBytes(), wp.vitals.heapUsedBytes(), wp.vitals.requests(), wp.rate,
                        wp.vitals.computeQueue()));
            }
        }
        for (WorkerProcess wp : live) { // retired workers still draining
            if (rows.stream().noneMatch(r -> r.pid() == wp.pid())) {
                rows.add(new WorkerRow(wp.id, wp.pid(), "draining", wp.generation, TimeUnit.NANOSECONDS.toMillis(now - wp.spawnedAtNanos),
                        0, wp.vitals.rssBytes(), wp.vitals.heapUsedBytes(), wp.vitals.requests(), wp.rate, wp.vitals.computeQueue()));
            }
        }
        Rollout r = rollout;
        String rolloutText = r == null ? null : r.why + ": " + r.replaced + " replaced, " + r.active.size() + " in progress, "
                + r.pending.size() + " to go";
        return new Status(rows, wanted(), breaker.isOpen(), rolloutText);
    }

    private CompletableFuture<Outcome> startDump(int id, String kind) {
        if (!kind.equals("threads") && !kind.equals("heap")) {
            return CompletableFuture.completedFuture(new Outcome(false, "unknown dump kind '" + kind + "'"));
        }
        Slot slot = slots.get(id);
        WorkerProcess wp = slot == null ? null : slot.current;
        if (wp == null || !wp.alive() || wp.channel == null) {
            return CompletableFuture.completedFuture(new Outcome(false, "there is no running worker " + id + " (workers: "
                    + slots.keySet() + ")"));
        }
        long request = ++dumpRequests;
        CompletableFuture<Outcome> answer = new CompletableFuture<>();
        dumps.put(request, answer);
        wp.dumps.add(request);
        wp.channel.send(new Dump(request, kind).frame());
        long timeout = kind.equals("heap") ? 300_000 : 10_000;
        later(() -> {
            CompletableFuture<Outcome> waiting = dumps.remove(request);
            if (waiting != null) {
                if (kind.equals("threads") && wp.alive()) {
                    Thread.ofVirtual().start(() -> Signals.send(wp.pid(), "QUIT"));
                }
                waiting.complete(new Outcome(false, wp + " did not answer within " + timeout / 1000 + " s; it may be hung"
                        + (kind.equals("threads") ? ". A SIGQUIT was sent: the JVM's thread dump follows in the primary's stdout, "
                        + "lines prefixed [worker " + id + "]" : "")));
            }
        }, timeout);
        return answer;
    }

    private void dumped(WorkerProcess wp, Dumped dumped) {
        wp.dumps.remove(dumped.request());
        CompletableFuture<Outcome> waiting = dumps.remove(dumped.request());
        if (waiting != null) {
            waiting.complete(dumped.error().isEmpty() ? new Outcome(true, dumped.path())
                    : new Outcome(false, wp + " could not write the dump: " + dumped.error()));
        }
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
        Rollout r = rollout;
        if (r != null) {
            rollout = null;
            r.done.complete(new Outcome(false, "the cluster is stopping (" + reason + "); the rollout ended after " + r.replaced
                    + " replaced"));
        }
        live.forEach(this::drain);
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
        for (WorkerProcess wp : live) {
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
            dumps.values().forEach(d -> d.complete(new Outcome(false, "the primary exited")));
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
