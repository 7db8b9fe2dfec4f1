package io.cadre.jmh;

import io.cadre.compute.ComputePool;
import io.cadre.compute.ComputePoolConfig;
import io.cadre.compute.Lane;
import io.cadre.compute.LaneOptions;
import io.cadre.compute.isolated.IsolatedConfig;
import io.cadre.compute.isolated.IsolatedExecutor;
import io.cadre.compute.isolated.IsolatedStats;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
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
 * What it costs to run a trivial job in a warm isolated child JVM ({@link IsolatedExecutor}),
 * against the same job on the in-process compute pool and called in place; and what a cold child
 * costs, from {@link IsolatedExecutor#start} to its first answer.
 *
 * <ul>
 *   <li>{@code isolatedRoundTrip}: {@code submit(IsolatedEcho.class, input).get()} on a pool of one
 *       warm child (default child JVM options: serial GC, C1 only, 256 MB heap). The round trip is
 *       the job frame written to the Unix domain socket, read by the child, the job run on the
 *       child's job thread, the reply frame written back, read by the executor's reader thread,
 *       the future completed and the caller woken. The input goes over the socket and the output
 *       comes back: the payload crosses twice. The child is never recycled during the trial
 *       ({@code maxJobsPerChild} is {@link Integer#MAX_VALUE} unless {@code -p maxJobsPerChild=N}),
 *       so every job finds it warm.</li>
 *   <li>{@code computePoolRoundTrip}: the same {@link IsolatedEcho#run} submitted to an idle
 *       {@link ComputePool} of 2 platform threads, niceness 0 (as {@link ComputeDispatchBenchmark});
 *       the bytes are handed over by reference, as in-process work would.</li>
 *   <li>{@code inThread}: the same call on the benchmark thread, the floor.</li>
 *   <li>{@code coldStartToFirstJob} (single shot, ms): {@code IsolatedExecutor.start} with a pool of
 *       one, then the first 64-byte echo's answer: the child JVM's fork and start, its connection
 *       and READY, the first job's class loading. Each iteration closes its executor (the child is
 *       killed) before the next one starts.</li>
 * </ul>
 *
 * One benchmark thread. After each warm isolated trial the executor's own latency histogram
 * (submission to answer, as {@link IsolatedStats} reports it) is printed next to JMH's.
 * {@code java -jar jmh/target/benchmarks.jar IsolatedBenchmark -f 1 -wi 3 -i 5 -w 2s -r 3s}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(1)
public class IsolatedBenchmark {
    private static final IsolatedEcho ECHO = new IsolatedEcho();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    static IsolatedConfig config(int maxJobsPerChild) {
        return IsolatedConfig.builder().name("jmh").register(IsolatedEcho.class).poolSize(1).maxJobsPerChild(maxJobsPerChild)
                .maxInputBytes(2 << 20).maxOutputBytes(2 << 20).drainTimeout(Duration.ofSeconds(5)).build();
    }

    static byte[] await(IsolatedExecutor executor, byte[] input) {
        try {
            return executor.submit(IsolatedEcho.class, input, TIMEOUT).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The job's input: {@code payload} bytes, the same every run. */
    @State(Scope.Benchmark)
    public static class Payload {
        @Param({"64", "4096", "1048576"})
        public int payload;

        byte[] input;

        @Setup(Level.Trial)
        public void make() {
            input = new byte[payload];
            new Random(42).nextBytes(input);
        }
    }

    /**
     * One warm child, started and answered once before the first iteration. By default it is never
     * recycled; {@code -p maxJobsPerChild=1000} (the executor's default) shows what recycling a
     * pool of one costs: the job after every 1000th waits for the replacement's cold start.
     */
    @State(Scope.Benchmark)
    public static class Isolated {
        @Param({"2147483647"})
        public int maxJobsPerChild;

        IsolatedExecutor executor;

        @Setup(Level.Trial)
        public void start() {
            executor = IsolatedExecutor.start(config(maxJobsPerChild));
            await(executor, new byte[64]); // waits for the child to be ready
        }

        @TearDown(Level.Trial)
        public void stop() {
            IsolatedStats s = executor.stats();
            executor.close();
            System.out.printf("%nexecutor stats: %d jobs, %d failed, %d children started; submit-to-answer us p50 %d, p99 %d, max %d%n",
                    s.latencyCount(), s.failed(), s.childrenStarted(), s.latencyP50Micros(), s.latencyP99Micros(), s.latencyMaxMicros());
            List<ProcessHandle> left = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
            if (!left.isEmpty()) {
                throw new IllegalStateException("child processes left after close: " + left);
            }
        }
    }

    /** An idle compute pool, as in {@link ComputeDispatchBenchmark}. */
    @State(Scope.Benchmark)
    public static class Compute {
        ComputePool pool;
        Lane lane;

        @Setup(Level.Trial)
        public void start() {
            pool = ComputePool.start(ComputePoolConfig.builder().threads(2).kind(ComputePoolConfig.Kind.PLATFORM).niceness(0)
                    .defaultLane(new LaneOptions(2, 64, 60_000)).build());
            lane = pool.defaultLane();
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.close();
        }
    }

    /** The executor a cold-start iteration made, closed after it. */
    @State(Scope.Benchmark)
    public static class Cold {
        static final byte[] INPUT = new byte[64];
        IsolatedExecutor executor;

        @TearDown(Level.Iteration)
        public void stop() {
            if (executor != null) {
                executor.close();
                executor = null;
            }
        }
    }

    @Benchmark
    public byte[] isolatedRoundTrip(Payload p, Isolated iso) {
        byte[] out = await(iso.executor, p.input);
        if (out.length != p.input.length) {
            throw new IllegalStateException("echo of " + p.input.length + " bytes came back with " + out.length);
        }
        return out;
    }

    @Benchmark
    public byte[] computePoolRoundTrip(Payload p, Compute c) {
        byte[] input = p.input;
        return c.lane.submit(() -> ECHO.run(input)).join();
    }

    @Benchmark
    public byte[] inThread(Payload p) {
        return ECHO.run(p.input);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 8)
    public byte[] coldStartToFirstJob(Cold cold) {
        cold.executor = IsolatedExecutor.start(config(Integer.MAX_VALUE));
        return await(cold.executor, Cold.INPUT);
    }
}
