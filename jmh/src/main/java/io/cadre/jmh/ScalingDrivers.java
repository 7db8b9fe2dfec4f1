package io.cadre.jmh;

import io.cadre.compute.ComputePool;
import io.cadre.compute.ComputePoolConfig;
import io.cadre.compute.Lane;
import io.cadre.compute.LaneOptions;
import io.cadre.compute.isolated.IsolatedConfig;
import io.cadre.compute.isolated.IsolatedExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongUnaryOperator;

/**
 * The execution models of {@link CpuScalingBenchmark}: each keeps N executors busy with kernel
 * jobs, back to back, from {@link #start} until {@link #close}, and reports every finished job to
 * its {@link Sink}. Nothing waits for a round of jobs to finish before the next starts, so an
 * executor that finishes early goes on working instead of idling at a barrier.
 */
abstract class ScalingDrivers implements AutoCloseable {
    /** Where finished jobs are counted. Called from the executors' threads. */
    static final class Sink {
        final Semaphore done = new Semaphore(0);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong checksum = new AtomicLong();

        void done(long result) {
            checksum.getAndAdd(result);
            done.release();
        }

        void failed(Throwable error) {
            failure.compareAndSet(null, error);
            done.release();
        }
    }

    final String kernel;
    final int n;
    final int units;
    final long prewarmMillis;
    final Sink sink;
    volatile boolean running = true;
    /** Seeds: every job gets its own. */
    final AtomicLong seeds = new AtomicLong();

    ScalingDrivers(String kernel, int n, int units, long prewarmMillis, Sink sink) {
        this.kernel = kernel;
        this.n = n;
        this.units = units;
        this.prewarmMillis = prewarmMillis;
        this.sink = sink;
    }

    /**
     * Starts the executors of {@code model}, after {@code prewarmMillis} of the kernel in every
     * JVM that will run it: on this thread for the in-process models, in each child for the
     * others. Returns when every executor is running.
     */
    static ScalingDrivers start(String model, String kernel, int n, int units, long prewarmMillis, Sink sink) {
        LongUnaryOperator k = CpuKernels.of(kernel); // fails here for an unknown kernel, before anything starts
        ScalingDrivers d = switch (model) {
            case "platform" -> new Threads(Thread.ofPlatform().name("cpu-scaling-", 0), kernel, n, units, prewarmMillis, sink);
            case "virtual" -> new Threads(Thread.ofVirtual().name("cpu-scaling-vt-", 0), kernel, n, units, prewarmMillis, sink);
            case "computePool" -> new Pool(kernel, n, units, prewarmMillis, sink);
            case "processes" -> new Processes(kernel, n, units, prewarmMillis, sink);
            case "isolated" -> new Isolated(kernel, n, units, prewarmMillis, sink);
            default -> throw new IllegalArgumentException("model must be platform, virtual, computePool, processes or isolated, was "
                    + model);
        };
        if (d instanceof Threads || d instanceof Pool) {
            sink.checksum.getAndAdd(CpuKernels.warm(k, units, prewarmMillis));
        }
        d.start();
        return d;
    }

    abstract void start();

    @Override
    public abstract void close();

    /** N long-lived threads (platform or virtual), each running jobs in a loop. */
    static final class Threads extends ScalingDrivers {
        private final Thread.Builder builder;
        private final List<Thread> threads = new ArrayList<>();

        Threads(Thread.Builder builder, String kernel, int n, int units, long prewarmMillis, Sink sink) {
            super(kernel, n, units, prewarmMillis, sink);
            this.builder = builder;
        }

        @Override
        void start() {
            LongUnaryOperator k = CpuKernels.of(kernel);
            for (int i = 0; i < n; i++) {
                threads.add(builder.start(() -> {
                    try {
                        while (running) {
                            sink.done(CpuKernels.job(k, units, seeds.getAndIncrement()));
                        }
                    } catch (Throwable t) {
                        sink.failed(t);
                    }
                }));
            }
        }

        @Override
        public void close() {
            running = false;
            for (Thread t : threads) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Cadre's compute pool with N platform threads at nice 0 and without {@code SCHED_IDLE} (so
     * that it competes for the CPUs on the same terms as the other models). Two jobs per thread
     * are kept submitted, each finished job submits the next from its completion, so a thread
     * finds its next job queued.
     */
    static final class Pool extends ScalingDrivers {
        private ComputePool pool;
        private Lane lane;

        Pool(String kernel, int n, int units, long prewarmMillis, Sink sink) {
            super(kernel, n, units, prewarmMillis, sink);
        }

        @Override
        void start() {
            pool = ComputePool.start(ComputePoolConfig.builder().threads(n).kind(ComputePoolConfig.Kind.PLATFORM).niceness(0)
                    .idleScheduling(false).defaultLane(new LaneOptions(n, 2 * n, 600_000)).build());
            lane = pool.defaultLane();
            for (int i = 0; i < 2 * n; i++) {
                submitNext();
            }
        }

        private void submitNext() {
            if (!running) {
                return;
            }
            LongUnaryOperator k = CpuKernels.of(kernel);
            long seed = seeds.getAndIncrement();
            lane.submit(() -> CpuKernels.job(k, units, seed)).whenComplete((r, e) -> {
                if (e != null) {
                    if (running) {
                        sink.failed(e);
                    }
                } else {
                    sink.done(r);
                    submitNext();
                }
            });
        }

        @Override
        public void close() {
            running = false;
            pool.close();
        }
    }

    /**
     * N worker JVMs ({@link KernelWorker}), each running jobs back to back on its own and writing
     * one byte per finished job to its stdout, which a thread of this JVM per child reads. The
     * children run with this JVM's own options (see {@link #childJvmOptions()}); they exit when
     * their stdin closes.
     */
    static final class Processes extends ScalingDrivers {
        private final List<Process> children = new ArrayList<>();
        private final List<Thread> readers = new ArrayList<>();

        Processes(String kernel, int n, int units, long prewarmMillis, Sink sink) {
            super(kernel, n, units, prewarmMillis, sink);
        }

        @Override
        void start() {
            CountDownLatch first = new CountDownLatch(n);
            try {
                for (int i = 0; i < n; i++) {
                    List<String> cmd = new ArrayList<>();
                    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                    cmd.addAll(childJvmOptions());
                    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelWorker.class.getName(), kernel,
                            Integer.toString(units), Integer.toString(i), Integer.toString(n), Long.toString(prewarmMillis)));
                    Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    children.add(child);
                    readers.add(Thread.ofPlatform().daemon(true).name("cpu-scaling-reader-" + i).start(() -> read(child, first)));
                }
                // Wait until every child has warmed up, so no child's JVM start or warm-up is measured.
                if (!first.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("not every worker JVM was up and warm within 120 s");
                }
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("cannot start a worker JVM", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException(e);
            }
        }

        private void read(Process child, CountDownLatch first) {
            try (InputStream in = child.getInputStream()) {
                int b = in.read();
                if (b >= 0) {
                    first.countDown();
                }
                while (b >= 0) {
                    sink.done(b);
                    b = in.read();
                }
            } catch (IOException e) {
                // closed by close()
            }
            if (running) {
                sink.failed(new IllegalStateException("worker JVM " + child.pid() + " exited early"));
            }
        }

        @Override
        public void close() {
            running = false;
            for (Process child : children) {
                try {
                    child.getOutputStream().close(); // EOF: the child halts
                } catch (IOException e) {
                    child.destroyForcibly();
                }
            }
            for (Process child : children) {
                try {
                    if (!child.waitFor(10, TimeUnit.SECONDS)) {
                        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    child.destroyForcibly();
                }
            }
        }
    }

    /**
     * N warm child JVMs of Cadre's {@link IsolatedExecutor}, one job at a time each, with two jobs
     * per child kept submitted (so a child's next job waits in the executor's queue, not in this
     * thread). Children run with the benchmark JVM's own options (see {@link #childJvmOptions()}),
     * not the executor's defaults (C1 only, serial GC), so both sides run the same compiled code.
     * Unlike {@code processes}, every job is handed over and answered through the executor's
     * socket, and runs on a new thread of the child.
     */
    static final class Isolated extends ScalingDrivers {
        private IsolatedExecutor executor;

        Isolated(String kernel, int n, int units, long prewarmMillis, Sink sink) {
            super(kernel, n, units, prewarmMillis, sink);
        }

        @Override
        void start() {
            executor = IsolatedExecutor.start(IsolatedConfig.builder().name("cpu-scaling").register(CpuKernelJob.class).poolSize(n)
                    .maxJobsPerChild(Integer.MAX_VALUE).queueCapacity(2 * n).defaultTimeout(Duration.ofMinutes(10))
                    .jvmOptions(childJvmOptions()).drainTimeout(Duration.ofSeconds(2)).build());
            // Wait until every child is up and warm, so no child's JVM start or warm-up is measured.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (executor.stats().liveChildren() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the " + n + " child JVMs did not start within 120 s: " + executor.stats());
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            // One warm-up job per child (all children are free, so each gets one).
            List<CompletableFuture<byte[]>> first = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                first.add(executor.submit(CpuKernelJob.class, CpuKernelJob.input(kernel, units, -1 - i, Math.max(1, prewarmMillis))));
            }
            CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).join();
            for (int i = 0; i < 2 * n; i++) {
                submitNext();
            }
        }

        private void submitNext() {
            if (!running) {
                return;
            }
            executor.submit(CpuKernelJob.class, CpuKernelJob.input(kernel, units, seeds.getAndIncrement())).whenComplete((r, e) -> {
                if (e != null) {
                    if (running) {
                        sink.failed(e);
                    }
                } else {
                    sink.done(ByteBuffer.wrap(r).getLong());
                    submitNext();
                }
            });
        }

        @Override
        public void close() {
            running = false;
            executor.close();
        }
    }

    /**
     * The children's JVM options: {@code -Dcadre.bench.childJvmOptions="..."} (space-separated)
     * when given, else this JVM's own {@code -X} options (heap size, collector, JIT flags: what
     * {@code -jvmArgs} gave the JMH fork), without JMH's compiler command file.
     */
    static List<String> childJvmOptions() {
        String explicit = System.getProperty("cadre.bench.childJvmOptions");
        if (explicit != null) {
            return explicit.isBlank() ? List.of() : Arrays.asList(explicit.trim().split("\\s+"));
        }
        List<String> options = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-X") && !arg.startsWith("-XX:CompileCommandFile")) {
                options.add(arg);
            }
        }
        return options;
    }
}
