package io.cadre.jmh;

import io.cadre.compute.ComputePool;
import io.cadre.compute.ComputePoolConfig;
import io.cadre.compute.Lane;
import io.cadre.compute.LaneOptions;
import java.util.Arrays;
import java.util.concurrent.Callable;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What it costs to hand a task to the compute pool, for the platform pool and the virtual-thread
 * variant, against calling the task in place.
 *
 * <p>Each invocation submits a task that does nothing but read {@link System#nanoTime()} when it
 * starts, then waits for its future. Two numbers come out:
 * <ul>
 *   <li>JMH's sample-time score: the <em>round trip</em>, from {@code submit} until the caller
 *       has the result: admission into the lane, the run-queue hand-off, waking an idle
 *       {@code cadre-compute-N} thread (platform) or starting a {@code cadre-compute-vt-N}
 *       virtual thread (virtual), the task, completing the future and waking the caller. The
 *       {@code inThreadBaseline} score is the floor: the same task called directly.</li>
 *   <li>Printed after each measurement iteration as {@code submit-to-start}: the part of the
 *       round trip from just before {@code submit} to the task's first instruction, in ns, as
 *       p50 / p90 / p99 / max of up to {@value #SAMPLES} invocations. This is the queueing
 *       delay a {@code @CpuBound} route adds before its work begins.</li>
 * </ul>
 * One benchmark thread against an otherwise idle pool of 2 threads, niceness 0 (so the numbers
 * do not depend on the host's scheduler weights); the pool is never full, so no task is refused.
 * The whole class runs in under a minute:
 * {@code java -jar jmh/target/benchmarks.jar ComputeDispatchBenchmark}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
public class ComputeDispatchBenchmark {
    static final int SAMPLES = 1 << 20;

    /** The task: its start time. */
    private static final Callable<Long> STARTED_AT = System::nanoTime;

    /** A running pool of the kind under test, and the submit-to-start delays it measured. */
    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"PLATFORM", "VIRTUAL"})
        public ComputePoolConfig.Kind kind;

        ComputePool pool;
        Lane lane;
        final long[] delays = new long[SAMPLES];
        int recorded;

        @Setup(Level.Trial)
        public void start() {
            pool = ComputePool.start(ComputePoolConfig.builder().threads(2).kind(kind).niceness(0)
                    .defaultLane(new LaneOptions(2, 64, 60_000)).build());
            lane = pool.defaultLane();
        }

        @Setup(Level.Iteration)
        public void reset() {
            recorded = 0;
        }

        void record(long delayNanos) {
            if (recorded < SAMPLES) {
                delays[recorded++] = delayNanos;
            }
        }

        @TearDown(Level.Iteration)
        public void report(IterationParams iteration) {
            if (iteration.getType() != IterationType.MEASUREMENT || recorded == 0) {
                return;
            }
            long[] sorted = Arrays.copyOf(delays, recorded);
            Arrays.sort(sorted);
            System.out.printf("%n%s submit-to-start ns over %d: p50 %d, p90 %d, p99 %d, max %d%n", kind,
                    recorded, at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99), sorted[recorded - 1]);
        }

        private static long at(long[] sorted, double quantile) {
            return sorted[(int) Math.min(sorted.length - 1, Math.round(quantile * (sorted.length - 1)))];
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.close();
        }
    }

    /** Submits the task to the pool and waits for it; returns the submit-to-start delay. */
    @Benchmark
    public long submitAndJoin(Pool state) {
        long submitted = System.nanoTime();
        long delay = state.lane.submit(STARTED_AT).join() - submitted;
        state.record(delay);
        return delay;
    }

    /** The floor: the same task called on the benchmark thread. */
    @Benchmark
    public long inThreadBaseline() throws Exception {
        long submitted = System.nanoTime();
        return STARTED_AT.call() - submitted;
    }
}
