package io.cadre.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU-bound throughput of the same kernel run by N executors of each execution model, for
 * process-versus-thread scaling: N platform threads, N virtual threads, Cadre's compute pool with
 * N threads, N worker JVMs, and N child JVMs of Cadre's isolated executor. The score is
 * <b>jobs per second</b>, a job being {@code jobUnits} units of {@link CpuKernels the kernel}
 * (about 10 ms of CPU with the defaults).
 * Scaling efficiency at N is {@code score(N) / (N * score(1))} of the same kernel and model;
 * {@code io.cadre.bench.ScalingReport} prints it from the JSON result file.
 *
 * <p>How: the trial setup starts the N executors and keeps them busy with jobs back to back until
 * the trial ends; each benchmark invocation waits for the next finished job, wherever it finished,
 * so JMH counts finished jobs per second. The benchmark thread itself only parks (it wakes once
 * per job, some hundred times a second). What each model adds per job:
 * <ul>
 *   <li>{@code platform}, {@code virtual}: N long-lived threads ({@code cpu-scaling-N},
 *       {@code cpu-scaling-vt-N}) each calling the kernel in a loop: no hand-off at all. Virtual
 *       threads run on the default scheduler (as many carriers as cores); a CPU-bound virtual
 *       thread never yields, so N of them hold N carriers.</li>
 *   <li>{@code computePool}: {@link io.cadre.compute.ComputePool} of N platform threads, nice 0,
 *       {@code SCHED_IDLE} off, one lane of N; 2N jobs kept submitted, so each thread finds its
 *       next job queued (a hand-off of about a microsecond, see ComputeDispatchBenchmark).</li>
 *   <li>{@code processes}: N worker JVMs ({@link KernelWorker}), each running jobs back to back on
 *       its own, as Cadre's worker JVMs serve their own connections; each writes a byte to a pipe
 *       per finished job, which a reader thread here counts. No hand-off per job: this is the
 *       process side of the comparison with {@code platform}.</li>
 *   <li>{@code isolated}: Cadre's {@link io.cadre.compute.isolated.IsolatedExecutor} with N warm
 *       child JVMs ({@link CpuKernelJob}, a 30-byte input and an 8-byte output per job), 2N jobs
 *       kept submitted. Each job is handed over and answered through the executor's Unix socket
 *       and runs on a new thread of the child, and the executor sends a child its next job only
 *       after the answer, so each child idles for one round trip and two thread wake-ups per job:
 *       the gap between this and {@code processes} is the executor's hand-off, not the kernel.</li>
 * </ul>
 * The children of {@code processes} and {@code isolated} run with this JVM's own options (heap,
 * collector, C2), see {@link ScalingDrivers#childJvmOptions()}; the setup waits until every child
 * is up and warm, and the benchmark JVM itself only waits.
 *
 * <p>Every model gets the same job sizes and the same warm-up: before the executors start, each JVM
 * that will run the kernel runs it for {@code prewarmMillis} (3 s) unmeasured, then JMH's warm-up
 * iterations follow. Without the pre-warm, one 1-second warm-up iteration (the short profile) left
 * Jackson half compiled at N = 1 (77 instead of 120 jobs/s; its compilations settle after about
 * 4 s of running on the 2-vCPU VM) while N = 2, which runs the code twice as often, got further:
 * efficiencies of 1.5 that said nothing about scaling. Every JVM (the fork, and each
 * child) has a fixed, pre-touched 512 MiB heap ({@code -jvmArgsAppend} replaces it, and the
 * children copy it): with a growing heap, the first touches of fresh heap pages (page faults)
 * made the {@code alloc} kernel up to 40 times slower on the 2-vCPU VM, and the heap's growth,
 * not the model, decided the result. The children of a trial together have N times the heap of
 * the threads' one JVM, as JVM defaults would give them.
 *
 * <p>Parameters: {@code kernel} (built-in {@code spin}, {@code sha256}, {@code json},
 * {@code alloc}, or the class name of your own {@code LongUnaryOperator}), {@code model},
 * {@code n} (default 1,2; {@code jmh/scripts/suite.sh} passes 1..nproc), {@code jobUnits} (raise
 * it when a kernel unit is short, so that dispatch stays small against the job),
 * {@code prewarmMillis}.
 * {@code java -jar jmh/target/benchmarks.jar CpuScalingBenchmark -p n=1,2 -p kernel=spin}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
@Threads(1)
public class CpuScalingBenchmark {
    /** The running executors of one trial. */
    @State(Scope.Benchmark)
    public static class Run {
        @Param({"spin", "sha256", "json", "alloc"})
        public String kernel;

        @Param({"platform", "virtual", "computePool", "processes", "isolated"})
        public String model;

        /** Executors: threads, pool threads or child JVMs. */
        @Param({"1", "2"})
        public int n;

        /** Kernel units per job. */
        @Param({"10"})
        public int jobUnits;

        /**
         * Before the executors start, every JVM that will run the kernel runs it this long, unmeasured
         * (this one on the benchmark thread, each child on its own). UNIT: ms.
         */
        @Param({"3000"})
        public int prewarmMillis;

        ScalingDrivers.Sink sink;
        ScalingDrivers drivers;

        @Setup(Level.Trial)
        public void start() {
            sink = new ScalingDrivers.Sink();
            drivers = ScalingDrivers.start(model, kernel, n, jobUnits, prewarmMillis, sink);
        }

        /** Jobs that finished between iterations are not counted in the next one. */
        @Setup(Level.Iteration)
        public void drain() {
            sink.done.drainPermits();
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            if (drivers != null) {
                drivers.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<ProcessHandle> left;
            while (!(left = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    left.forEach(ProcessHandle::destroyForcibly);
                    throw new IllegalStateException("child processes left after close (now killed): " + left);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Waits for the next finished job, whichever executor ran it. */
    @Benchmark
    public void job(Run run) throws InterruptedException {
        if (!run.sink.done.tryAcquire(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no job finished in 120 s");
        }
        Throwable failure = run.sink.failure.get();
        if (failure != null) {
            throw new IllegalStateException("a " + run.model + " job failed", failure);
        }
    }
}
