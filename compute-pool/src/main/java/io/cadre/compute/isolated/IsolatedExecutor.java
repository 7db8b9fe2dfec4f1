package io.cadre.compute.isolated;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cadre.compute.isolated.internal.ChildMain;
import io.cadre.compute.isolated.internal.Frames;
import io.cadre.compute.isolated.internal.JobBreakers;
import io.cadre.compute.isolated.internal.StderrTail;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs crash-prone jobs in a pool of warm child JVMs, so that a crash fails the job, not the
 * process that submitted it (Node's {@code child_process.fork}, Python's
 * {@code ProcessPoolExecutor}, without their failure modes).
 *
 * <pre>{@code
 * IsolatedExecutor pool = IsolatedExecutor.start(IsolatedConfig.builder()
 *         .name("pdf").register(RenderPdf.class).poolSize(2).build());
 * byte[] pdf = pool.call(RenderPdf.class, html, Duration.ofSeconds(10));   // or submit(...) for a future
 * }</pre>
 *
 * <ul>
 *   <li>Children start ahead of need and are reused, one job at a time each; a child is replaced
 *       after {@code maxJobsPerChild} jobs, after it died, and after a job threw an {@code Error},
 *       always in the background.</li>
 *   <li>Every failure is a typed {@link IsolatedJobException}: the child exited, was killed by a
 *       signal, ran out of memory, crashed in native code, the job timed out (its child is killed
 *       at the deadline), threw, or produced too much output. The child's last stderr lines ride
 *       along.</li>
 *   <li>A job's deadline counts from submission (waiting included). Cancelling its future kills
 *       the child that runs it. When every child is busy and {@code queueCapacity} jobs wait,
 *       submission fails at once with {@link IsolatedRejectedException}.</li>
 *   <li>A job class that crashes children {@code breakerCrashes} times within the window is refused
 *       for the cool-down, while other classes keep running.</li>
 *   <li>Children read a Unix domain socket of the executor; when it closes (this JVM exited or was SIGKILLed) they halt at
 *       once. {@link #close()} drains within the drain timeout, then kills what is left.</li>
 * </ul>
 *
 * <p>Thread-safe. Linux (and other POSIX systems) only: children are told apart by exit status and
 * signal.
 */
public final class IsolatedExecutor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IsolatedExecutor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger POOLS = new AtomicInteger();
    /** The executors started and not yet closed in this JVM, for metrics. */
    private static final Set<IsolatedExecutor> OPEN = ConcurrentHashMap.newKeySet();
    /** How long a new child may take to connect before it is killed. UNIT: ms. */
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final IsolatedConfig config;
    private final Path dir; // private (0700): the children's socket and any JVM error reports
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final Map<Long, Child> byPid = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idleOrEmpty = lock.newCondition();
    private final Set<Child> children = new HashSet<>();
    private final ArrayDeque<Child> idle = new ArrayDeque<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final JobBreakers breakers;
    private final ScheduledExecutorService timer;
    private final Recorder latency = new Recorder(3);
    private final Histogram latencyTotal = new Histogram(3);
    private final AtomicInteger childIds = new AtomicInteger();
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    private final Map<IsolatedJobException.Kind, AtomicLong> failures = new EnumMap<>(IsolatedJobException.Kind.class);
    private final AtomicLong serviceNanos = new AtomicLong(TimeUnit.MILLISECONDS.toNanos(100)); // smoothed job time
    private int running; // guarded by lock
    private int startFailures; // consecutive children that died before READY; guarded by lock
    private boolean closing; // guarded by lock

    private IsolatedExecutor(IsolatedConfig config) throws IOException {
        this.config = config;
        this.breakers = new JobBreakers(config.breakerCrashes(), config.breakerWindowMillis(), config.breakerCooldownMillis());
        this.dir = Files.createTempDirectory("cadre-iso-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(dir.resolve("s")));
        } catch (IOException | RuntimeException e) { // a socket path too long for the OS, say: leave nothing behind
            closeQuietly(server);
            Files.deleteIfExists(dir.resolve("s"));
            Files.deleteIfExists(dir);
            throw e;
        }
        int pool = POOLS.incrementAndGet();
        this.acceptor = Thread.ofPlatform().daemon(true).name("cadre-isolated-" + config.name() + "-accept-" + pool).unstarted(this::accept);
        java.util.concurrent.ScheduledThreadPoolExecutor scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon(true).name("cadre-isolated-" + config.name() + "-timer-" + pool).unstarted(r));
        scheduler.setRemoveOnCancelPolicy(true); // a deadline per job, nearly always cancelled: do not let them pile up
        this.timer = scheduler;
        for (IsolatedJobException.Kind k : IsolatedJobException.Kind.values()) {
            failures.put(k, new AtomicLong());
        }
    }

    /** Starts the pool's children (in the background: this returns at once) and returns the executor. */
    public static IsolatedExecutor start(IsolatedConfig config) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            throw new UnsupportedOperationException("the isolated executor runs on Linux only; this is " + System.getProperty("os.name"));
        }
        IsolatedExecutor executor;
        try {
            executor = new IsolatedExecutor(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the isolated executor's private directory", e);
        }
        OPEN.add(executor);
        executor.acceptor.start();
        for (int i = 0; i < config.poolSize(); i++) {
            executor.spawnLater(0);
        }
        return executor;
    }

    /**
     * The executors of this JVM that were started and not yet closed, so that the process can
     * report their {@link #stats()} (Cadre's worker metrics do) without the app handing them over.
     */
    public static List<IsolatedExecutor> open() {
        return List.copyOf(OPEN);
    }

    public IsolatedConfig config() {
        return config;
    }

    /** Runs {@code job} on {@code input} with the default deadline. */
    public CompletableFuture<byte[]> submit(Class<? extends IsolatedJob> job, byte[] input) {
        return submit(job, input, Duration.ofMillis(config.defaultTimeoutMillis()));
    }

    /**
     * Runs {@code job} on {@code input} in a child, within {@code timeout} from now. The future
     * fails with an {@link IsolatedJobException}; cancelling it kills the child that runs the job.
     * A job class that is not registered, or an input over the limit, is an
     * {@link IllegalArgumentException} at once.
     */
    public CompletableFuture<byte[]> submit(Class<? extends IsolatedJob> job, byte[] input, Duration timeout) {
        String name = job.getName();
        if (!config.jobs().contains(name)) {
            throw new IllegalArgumentException("job class " + name + " is not registered with isolated executor '" + config.name()
                    + "' (IsolatedConfig.Builder.register)");
        }
        if (input.length > config.maxInputBytes()) {
            throw new IllegalArgumentException("input of " + input.length + " bytes is over the limit of " + config.maxInputBytes());
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        submitted.incrementAndGet();
        Pending p = new Pending(name, input, timeout.toMillis());
        Child child = null;
        lock.lock();
        try {
            IsolatedRejectedException refusal = refusal(name);
            if (refusal != null) {
                rejected.incrementAndGet();
                failures.get(IsolatedJobException.Kind.REJECTED).incrementAndGet();
                return CompletableFuture.failedFuture(refusal);
            }
            child = idle.pollFirst();
            while (child != null && !child.process.isAlive()) { // dead, and died() has not caught up yet
                child = idle.pollFirst();
            }
            if (child != null) {
                assign(child, p);
            } else {
                queue.addLast(p);
            }
        } finally {
            lock.unlock();
        }
        p.timeout = timer.schedule(() -> timedOut(p), p.timeoutMillis, TimeUnit.MILLISECONDS);
        p.future.whenComplete((v, e) -> {
            if (p.future.isCancelled()) {
                cancelled(p);
            }
        });
        if (child != null) {
            send(child, p);
        }
        return p.future;
    }

    /** {@link #submit(Class, byte[], Duration)} and wait: returns the output or throws the typed failure. */
    public byte[] call(Class<? extends IsolatedJob> job, byte[] input, Duration timeout) throws InterruptedException {
        CompletableFuture<byte[]> future = submit(job, input, timeout);
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true); // the caller gave up: the job's child is killed, not left running to its deadline
            throw e;
        }
    }

    /** Runs a {@link JsonJob}: {@code input} is written as JSON, the output read as {@code outputType}. */
    public <O> CompletableFuture<O> submitJson(Class<? extends IsolatedJob> job, Object input, Class<O> outputType, Duration timeout) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(input);
        } catch (IOException e) {
            throw new IllegalArgumentException("the input of " + job.getName() + " is not serializable as JSON: " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> raw = submit(job, bytes, timeout);
        CompletableFuture<O> result = raw.thenApply(out -> {
            try {
                return JSON.readValue(out, outputType);
            } catch (IOException e) {
                throw new CompletionException(new IllegalStateException("the output of " + job.getName() + " does not read as "
                        + outputType.getName() + ": " + e.getMessage(), e));
            }
        });
        result.whenComplete((value, error) -> {
            if (result.isCancelled()) {
                raw.cancel(true); // cancelling the job's stage kills its child, as for submit
            }
        });
        return result;
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(cause);
    }

    // ---- dispatch ------------------------------------------------------------------------------

    /** Why {@code job} cannot be accepted now, or null. Under the lock. */
    private IsolatedRejectedException refusal(String job) {
        if (closing) {
            return new IsolatedRejectedException(job, IsolatedRejectedException.Reason.SHUT_DOWN, "the executor is closing", 1);
        }
        if (idle.isEmpty() && queue.size() >= config.queueCapacity()) {
            long waitNanos = serviceNanos.get() * (queue.size() + 1) / Math.max(1, config.poolSize());
            return new IsolatedRejectedException(job, IsolatedRejectedException.Reason.QUEUE_FULL, "all " + config.poolSize()
                    + " children are busy and " + queue.size() + " jobs wait", TimeUnit.NANOSECONDS.toSeconds(waitNanos) + 1);
        }
        // last: letting a job through a half-open breaker makes it that breaker's one trial
        long refusedFor = breakers.refusedFor(job, System.currentTimeMillis());
        if (refusedFor > 0) {
            return new IsolatedRejectedException(job, IsolatedRejectedException.Reason.BREAKER_OPEN, "it crashed its child JVM "
                    + config.breakerCrashes() + " times within " + config.breakerWindowMillis() / 1000 + " s; refused for another "
                    + (refusedFor + 999) / 1000 + " s", (refusedFor + 999) / 1000);
        }
        return null;
    }

    /** Gives {@code p} to {@code child}. Under the lock; the frame is sent after it. */
    private void assign(Child child, Pending p) {
        child.current = p;
        p.child = child;
        p.startedNanos = System.nanoTime();
        running++;
    }

    /** Sends the job frame; a child that cannot take it is killed, which fails the job through its death. */
    private void send(Child child, Pending p) {
        try {
            DataOutputStream out = child.out;
            synchronized (out) {
                out.writeByte(Frames.JOB);
                out.writeUTF(p.job);
                out.writeInt(p.input.length);
                out.write(p.input);
                out.flush();
            }
        } catch (IOException e) {
            child.process.destroyForcibly();
        }
    }

    /** {@code child} is free: give it the next queued job, or make it idle. */
    private void free(Child child) {
        Pending next;
        lock.lock();
        try {
            if (child.retiring || !child.process.isAlive()) {
                return;
            }
            next = queue.pollFirst();
            if (next == null) {
                idle.addLast(child);
                idleOrEmpty.signalAll();
                return;
            }
            assign(child, next);
        } finally {
            lock.unlock();
        }
        send(child, next);
    }

    // ---- outcomes ------------------------------------------------------------------------------

    /** The job on {@code child} ended with a reply; the child lives on unless {@code retire}. */
    private void replied(Child child, Pending p, byte[] output, IsolatedJobException failure, boolean retire) {
        boolean doomed;
        lock.lock();
        try {
            p.replied = true;
            doomed = p.timedOut || p.cancelled; // its child is being killed: never give it another job
            child.current = null;
            child.jobs++;
            running--;
            if (failure == null) {
                breakers.succeeded(p.job);
            } else {
                breakers.trialEnded(p.job);
            }
            idleOrEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        finish(p, output, failure);
        if (doomed) {
            return; // died() replaces it
        }
        if (retire || child.retireWhenFree) {
            retire(child, !child.retireWhenFree && !child.recycling); // a recycling child's replacement is on its way
        } else if (child.jobs >= config.maxJobsPerChild() && !child.recycling) {
            // recycle without a gap: it keeps serving until its replacement is ready
            child.recycling = true;
            spawnLater(0);
            free(child);
        } else {
            free(child);
        }
    }

    private void finish(Pending p, byte[] output, IsolatedJobException failure) {
        if (p.timeout != null) {
            p.timeout.cancel(false);
        }
        boolean done = failure == null ? p.future.complete(output) : p.future.completeExceptionally(failure);
        if (!done) {
            return; // already timed out or cancelled
        }
        if (p.startedNanos != 0) {
            long took = System.nanoTime() - p.submittedNanos;
            latency.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(took)));
            long run = System.nanoTime() - p.startedNanos;
            serviceNanos.updateAndGet(old -> old + (run - old) / 8);
        }
        if (failure == null) {
            succeeded.incrementAndGet();
        } else {
            failed.incrementAndGet();
            failures.get(failure.kind()).incrementAndGet();
            if (failure.childDied()) {
                log.warn("isolated executor '{}': {}", config.name(), failure.describe());
            }
        }
    }

    /** The deadline of {@code p} passed: fail it; kill its child when it runs. */
    private void timedOut(Pending p) {
        Child child;
        lock.lock();
        try {
            if (p.future.isDone() || p.replied) {
                return; // the answer came first
            }
            if (p.child != null && !p.child.process.isAlive()) {
                return; // its child died before the deadline: died() reports why
            }
            p.timedOut = true;
            child = p.child;
            if (child == null) {
                queue.remove(p);
            }
        } finally {
            lock.unlock();
        }
        if (child == null) {
            finish(p, null, new JobTimeoutException(p.job, p.timeoutMillis, List.of()));
        } else {
            child.process.destroyForcibly(); // its death fails p as TIMED_OUT
        }
    }

    private void cancelled(Pending p) {
        Child child;
        lock.lock();
        try {
            child = p.replied ? null : p.child;
            if (p.child == null) {
                queue.remove(p);
            } else if (!p.replied) {
                p.cancelled = true;
            }
        } finally {
            lock.unlock();
        }
        if (p.timeout != null) {
            p.timeout.cancel(false);
        }
        if (child != null) {
            child.process.destroyForcibly(); // the only way to stop a job in another JVM
        }
    }

    // ---- children ------------------------------------------------------------------------------

    private void spawnLater(long delayMillis) {
        Runnable spawn = () -> {
            try {
                spawn();
            } catch (IOException | RuntimeException e) {
                log.error("isolated executor '{}': cannot start a child JVM: {}", config.name(), e.toString());
                childStartFailed();
            }
        };
        if (delayMillis <= 0) {
            Thread.ofVirtual().name("cadre-isolated-" + config.name() + "-spawn").start(spawn);
        } else {
            try {
                timer.schedule(spawn, delayMillis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    private void spawn() throws IOException {
        lock.lock();
        try {
            if (closing) {
                return;
            }
        } finally {
            lock.unlock();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(config.java().toString());
        cmd.addAll(config.jvmOptions());
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
        cmd.add("-cp");
        cmd.add(config.classpath());
        cmd.add(ChildMain.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(Frames.ENV_JOBS, String.join(",", config.jobs()));
        pb.environment().put(Frames.ENV_MAX_OUTPUT, Integer.toString(config.maxOutputBytes()));
        pb.environment().put(Frames.ENV_SOCKET, dir.resolve("s").toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectErrorStream(true); // stdout too: a JVM's fatal error report, a native library's chatter
        Process process = pb.start();
        int id = childIds.incrementAndGet();
        Child child = new Child(id, process, new StderrTail(process.getInputStream(), config.stderrLines(),
                "cadre-isolated-" + config.name() + "-" + id + "-err"));
        byPid.put(process.pid(), child);
        started.incrementAndGet();
        lock.lock();
        try {
            children.add(child);
            if (closing) {
                process.destroyForcibly();
            }
        } finally {
            lock.unlock();
        }
        process.onExit().thenRun(() -> died(child));
        try {
            timer.schedule(() -> {
                if (!child.ready && process.isAlive()) {
                    log.error("isolated executor '{}': child {} (pid {}) did not connect within {} ms; killing it", config.name(), id,
                            process.pid(), START_TIMEOUT_MILLIS);
                    process.destroyForcibly();
                }
            }, START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            process.destroyForcibly(); // closed meanwhile
        }
    }

    /** Accepts the children's connections; each says READY and its pid first. */
    private void accept() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread.ofVirtual().name("cadre-isolated-" + config.name() + "-hello").start(() -> hello(channel));
        }
    }

    private void hello(SocketChannel channel) {
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024));
            if (in.read() != Frames.READY) {
                channel.close();
                return;
            }
            long pid = in.readLong();
            Child child = null;
            for (int i = 0; i < 200 && child == null; i++) { // its spawner may not have recorded it yet
                child = byPid.get(pid);
                if (child == null) {
                    Thread.sleep(10);
                }
            }
            if (child == null || child.channel != null) {
                log.warn("isolated executor '{}': a connection claiming pid {} is no child of this executor; closed", config.name(), pid);
                channel.close();
                return;
            }
            child.channel = channel;
            child.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024));
            Child c = child;
            child.reader = Thread.ofPlatform().daemon(true).name("cadre-isolated-" + config.name() + "-" + child.id)
                    .start(() -> read(c, in));
            Child recycled = null;
            lock.lock();
            try {
                child.ready = true;
                startFailures = 0;
                for (Child old : children) {
                    if (old.recycling && !old.retiring && !old.retireWhenFree) {
                        if (idle.remove(old)) { // out of idle now, under the lock: no job can be handed to it any more
                            recycled = old;
                        } else {
                            old.retireWhenFree = true; // it goes when its job is done
                        }
                        break;
                    }
                }
            } finally {
                lock.unlock();
            }
            if (recycled != null) {
                retire(recycled, false);
            }
            free(child);
        } catch (IOException e) {
            closeQuietly(channel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    /** Reads the replies of {@code child} until its socket ends. */
    private void read(Child child, DataInputStream in) {
        try {
            while (true) {
                int type = in.read();
                if (type < 0) {
                    return;
                }
                Pending p = child.current;
                switch (type) {
                    case Frames.OK -> {
                        int length = in.readInt();
                        if (p == null || length < 0 || length > config.maxOutputBytes()) {
                            if (p != null) {
                                p.outputTooLarge = Math.max(0, length);
                            }
                            child.process.destroyForcibly(); // a protocol breach: never read an unbounded frame
                            return;
                        }
                        byte[] output = in.readNBytes(length);
                        if (output.length < length) {
                            return;
                        }
                        replied(child, p, output, null, false);
                    }
                    case Frames.THREW -> {
                        boolean error = in.readBoolean();
                        String remoteType = in.readUTF();
                        String message = in.readUTF();
                        int length = in.readInt();
                        if (length < 0 || length > 1 << 20) {
                            child.process.destroyForcibly();
                            return;
                        }
                        String stack = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                        if (p != null) {
                            replied(child, p, null, new JobFailedException(p.job, remoteType, message, stack, child.stderr.lines()), error);
                        }
                    }
                    case Frames.TOO_LARGE -> {
                        long size = in.readLong();
                        if (p != null) {
                            replied(child, p, null, new OutputTooLargeException(p.job, size, config.maxOutputBytes(),
                                    child.stderr.lines()), false);
                        }
                    }
                    default -> {
                        log.warn("isolated executor '{}': child {} (pid {}) sent an unknown frame {}; killing it", config.name(),
                                child.id, child.process.pid(), type);
                        child.process.destroyForcibly();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // its stdout ended: its death is handled by died()
        }
    }

    /** {@code child} exited: fail its job with the right type, replace it. */
    private void died(Child child) {
        lock.lock();
        try {
            idle.remove(child); // before the waits below: no job may be handed to it meanwhile
        } finally {
            lock.unlock();
        }
        child.stderr.awaitEnd(1_000);
        closeQuietly(child.channel);
        Thread reader = child.reader;
        if (reader != null) {
            try {
                reader.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byPid.remove(child.process.pid());
        Pending p;
        boolean retire;
        boolean beforeReady;
        lock.lock();
        try {
            children.remove(child); // out of idle already, at the start
            p = child.current;
            child.current = null;
            retire = child.retiring;
            beforeReady = !child.ready;
            if (p != null) {
                running--;
                idleOrEmpty.signalAll();
            }
        } finally {
            lock.unlock();
        }
        closeStreams(child.process);
        if (p != null && !p.future.isDone()) {
            IsolatedJobException failure = classify(child, p);
            if (!failure.childDied()) {
                lock.lock();
                try {
                    breakers.trialEnded(p.job);
                } finally {
                    lock.unlock();
                }
            }
            if (failure.childDied()) {
                lock.lock();
                try {
                    if (breakers.crashed(p.job, System.currentTimeMillis())) {
                        log.error("isolated executor '{}': job class {} crashed its child {} times within {} s; refusing it for {} s",
                                config.name(), p.job, config.breakerCrashes(), config.breakerWindowMillis() / 1000,
                                config.breakerCooldownMillis() / 1000);
                        failQueued(p.job);
                    }
                } finally {
                    lock.unlock();
                }
            }
            finish(p, null, failure);
        } else if (beforeReady && !retire && !isClosing()) {
            log.error("isolated executor '{}': child {} (pid {}) exited with status {} before it was ready:\n  {}", config.name(), child.id,
                    child.process.pid(), child.process.exitValue(), String.join("\n  ", child.stderr.lines()));
        }
        if (retire || child.recycling || isClosing()) {
            return; // a retiring or recycling child's replacement was started already
        }
        if (beforeReady) {
            childStartFailed();
        } else {
            spawnLater(0);
        }
    }

    /** A child could not start: try again later, longer each time, so a broken setup does not fork without end. */
    private void childStartFailed() {
        int failures;
        lock.lock();
        try {
            failures = ++startFailures;
        } finally {
            lock.unlock();
        }
        spawnLater(Math.min(30_000, 100L << Math.min(failures, 9)));
    }

    /** Fails every queued job of {@code job} at once: its breaker just opened. Under the lock. */
    private void failQueued(String job) {
        for (Pending q : List.copyOf(queue)) {
            if (q.job.equals(job)) {
                queue.remove(q);
                IsolatedRejectedException r = new IsolatedRejectedException(job, IsolatedRejectedException.Reason.BREAKER_OPEN,
                        "its breaker opened while it waited", config.breakerCooldownMillis() / 1000);
                timer.execute(() -> finish(q, null, r));
            }
        }
    }

    private IsolatedJobException classify(Child child, Pending p) {
        List<String> tail = child.stderr.lines();
        if (isClosing()) {
            return new IsolatedRejectedException(p.job, IsolatedRejectedException.Reason.SHUT_DOWN, "the executor was closed while it ran", 1);
        }
        if (p.timedOut) {
            return new JobTimeoutException(p.job, p.timeoutMillis, tail);
        }
        if (p.outputTooLarge >= 0) {
            return new OutputTooLargeException(p.job, p.outputTooLarge, config.maxOutputBytes(), tail);
        }
        if (child.stderr.fatal()) {
            return new ChildCrashedException(p.job, child.stderr.fatalSignal(), child.stderr.errorFile(), tail);
        }
        if (child.stderr.outOfMemory()) {
            return new ChildOutOfMemoryException(p.job, tail);
        }
        int status = child.process.exitValue();
        if (status > 128 && status <= 128 + 64) {
            return new ChildKilledException(p.job, status - 128, tail); // how Java reports a death by signal
        }
        return new ChildExitedException(p.job, status, tail);
    }

    /**
     * Lets {@code child} end (its socket is closed: it halts) and, when {@code replace}, starts its
     * replacement now (a recycled child's replacement is already running).
     */
    private void retire(Child child, boolean replace) {
        lock.lock();
        try {
            if (child.retiring) {
                return;
            }
            child.retiring = true;
            idle.remove(child);
        } finally {
            lock.unlock();
        }
        if (child.channel == null) {
            child.process.destroyForcibly();
        } else {
            closeQuietly(child.channel); // it reads the end of its socket and halts
        }
        if (replace) {
            spawnLater(0);
        }
    }

    private boolean isClosing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    private static void closeStreams(Process process) {
        for (AutoCloseable c : new AutoCloseable[] {process.getOutputStream(), process.getInputStream(), process.getErrorStream()}) {
            try {
                c.close();
            } catch (Exception e) {
                // already closed
            }
        }
    }

    // ---- stats and shutdown --------------------------------------------------------------------

    /** What the pool is doing now, and what it did since it started. */
    public IsolatedStats stats() {
        int live;
        int busy;
        int waiting;
        List<String> open;
        lock.lock();
        try {
            live = (int) children.stream().filter(c -> c.ready && !c.retiring && c.process.isAlive()).count();
            busy = running;
            waiting = queue.size();
            open = breakers.open(System.currentTimeMillis());
        } finally {
            lock.unlock();
        }
        Histogram h;
        synchronized (latencyTotal) {
            latencyTotal.add(latency.getIntervalHistogram());
            h = latencyTotal.copy();
        }
        Map<IsolatedJobException.Kind, Long> byKind = new EnumMap<>(IsolatedJobException.Kind.class);
        failures.forEach((k, v) -> byKind.put(k, v.get()));
        return new IsolatedStats(config.poolSize(), live, busy, waiting, submitted.get(), succeeded.get(), failed.get(), rejected.get(),
                started.get(), byKind, h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue(), open);
    }

    /**
     * Stops taking jobs, lets queued and running ones finish within the drain timeout, fails what
     * is left with {@link IsolatedRejectedException} ({@code SHUT_DOWN}), and kills every child.
     * Returns once they are gone (a few seconds at most past the drain timeout).
     */
    @Override
    public void close() {
        List<Pending> left;
        List<Child> all;
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            OPEN.remove(this);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMillis());
            while ((running > 0 || !queue.isEmpty()) && System.nanoTime() < deadline) {
                try {
                    idleOrEmpty.awaitNanos(Math.max(1, deadline - System.nanoTime()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            left = new ArrayList<>(queue);
            queue.clear();
            all = new ArrayList<>(children);
        } finally {
            lock.unlock();
        }
        for (Pending p : left) {
            finish(p, null, new IsolatedRejectedException(p.job, IsolatedRejectedException.Reason.SHUT_DOWN, "the executor closed", 1));
        }
        for (Child c : all) {
            c.process.destroyForcibly();
        }
        for (Child c : all) {
            try {
                c.process.onExit().get(5, TimeUnit.SECONDS);
                c.stderr.awaitEnd(1_000);
                closeQuietly(c.channel);
                if (c.reader != null) {
                    c.reader.join(1_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                log.warn("isolated executor '{}': child pid {} did not end", config.name(), c.process.pid());
            }
            closeStreams(c.process);
            Pending p = c.current;
            if (p != null) {
                finish(p, null, new IsolatedRejectedException(p.job, IsolatedRejectedException.Reason.SHUT_DOWN,
                        "the executor closed while it ran", 1));
            }
        }
        timer.shutdownNow();
        closeQuietly(server);
        try {
            acceptor.join(1_000);
            Files.deleteIfExists(dir.resolve("s"));
            Files.deleteIfExists(dir); // only when empty: a JVM error report is kept
        } catch (IOException e) {
            log.info("isolated executor '{}': JVM error reports are kept in {}", config.name(), dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One child JVM, as the executor sees it. */
    private static final class Child {
        final int id;
        final Process process;
        final StderrTail stderr;
        volatile SocketChannel channel;
        volatile DataOutputStream out;
        volatile Thread reader;
        volatile Pending current;
        volatile boolean ready;
        volatile boolean retiring;
        /** It ran its maxJobsPerChild: a replacement is starting, and it serves until that one is ready. */
        volatile boolean recycling;
        /** Its replacement is ready: it is retired once its job is done. */
        volatile boolean retireWhenFree;
        int jobs;

        Child(int id, Process process, StderrTail stderr) {
            this.id = id;
            this.process = process;
            this.stderr = stderr;
        }
    }

    /** One submitted job. */
    private static final class Pending {
        final String job;
        final byte[] input;
        final long timeoutMillis;
        final long submittedNanos = System.nanoTime();
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;
        volatile Child child;
        volatile long startedNanos;
        volatile boolean timedOut;
        volatile boolean cancelled;
        volatile boolean replied;
        volatile long outputTooLarge = -1;

        Pending(String job, byte[] input, long timeoutMillis) {
            this.job = job;
            this.input = input;
            this.timeoutMillis = timeoutMillis;
        }
    }
}
