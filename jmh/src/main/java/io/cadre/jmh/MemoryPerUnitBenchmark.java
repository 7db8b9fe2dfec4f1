package io.cadre.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Memory per unit of concurrency, as the OS sees it: a parked platform thread, a parked virtual
 * thread, an idle JVM, an isolated child JVM, a worker JVM of the reference app. Each iteration
 * starts K units, waits until all are ready (the score: single-shot time to start K units, ms),
 * lets them settle, reads resident and proportional set size from {@code /proc/PID/smaps_rollup}
 * ({@code Rss}, {@code Pss}), and stops them. Secondary results, per unit, in KiB:
 * <ul>
 *   <li>{@code platform}, {@code virtual} (K = {@code threads}, each parked on a latch
 *       {@code depth} frames down): {@code rssKiB} and {@code pssKiB} are this JVM's growth over
 *       its own reading just before, divided by K: native memory (thread stacks, the JVM's
 *       per-thread structures). The heap is fixed and pre-touched (512 MiB), so heap use does not
 *       show in RSS; {@code heapKiB} is the growth of the heap in use after a full GC, divided by
 *       K: a virtual thread's stack and object live there. Memory per thread is
 *       {@code rssKiB + heapKiB}.</li>
 *   <li>{@code jvm}, {@code isolated}, {@code worker} (K = {@code processes}): each child's whole
 *       {@code Rss} and {@code Pss}, averaged. {@code heapKiB} is NaN. {@code jvm}: an idle
 *       {@link IdleJvm} with Cadre's default worker options (the floor: a JVM, nothing loaded);
 *       {@code isolated}: an isolated executor's warm child with the executor's default options
 *       (256 MiB heap ceiling, serial GC, C1 only); {@code worker}: a worker of the reference app
 *       ({@code appJar}, default {@code samples/target/cadre-samples.jar}, relative to the
 *       directory JMH runs in), with its default options and AOT cache, ready but not yet
 *       loaded (see {@code ./cadre.sh bench idle-memory} for a worker after 2000 requests).
 *       {@code Pss} splits pages shared with other processes (the JDK's class data, the AOT
 *       cache) among all processes that map them, this JVM and any other JVM on the host
 *       included.</li>
 * </ul>
 * Each child's reading is taken {@code settleMillis} after all K are ready.
 *
 * <p>JMH sums {@code @AuxCounters} events over iterations and forks; each iteration publishes its
 * value divided by (measurement iterations x forks), so the reported sum is the mean per unit (its
 * error column stays empty). {@code java -jar jmh/target/benchmarks.jar MemoryPerUnitBenchmark}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
@Threads(1)
public class MemoryPerUnitBenchmark {
    /** The units of one iteration and what this JVM used before they started. */
    @State(Scope.Benchmark)
    public static class Units {
        @Param({"platform", "virtual", "jvm", "isolated", "worker"})
        public String unit;

        /** K for {@code platform} and {@code virtual}. */
        @Param({"1000"})
        public int threads;

        /** K for {@code jvm}, {@code isolated} and {@code worker}. */
        @Param({"2"})
        public int processes;

        /** Frames on a thread's stack below the point where it parks. */
        @Param({"0"})
        public int depth;

        /** How long after all K are ready the memory of child processes is read. UNIT: ms. */
        @Param({"1000"})
        public int settleMillis;

        /** The reference app's jar, for {@code worker}. */
        @Param({"samples/target/cadre-samples.jar"})
        public String appJar;

        ConcurrencyUnits running;
        ConcurrencyUnits.Memory before;
        long heapBefore;

        int count() {
            return unit.equals("platform") || unit.equals("virtual") ? threads : processes;
        }

        @Setup(Level.Iteration)
        public void baseline() throws InterruptedException {
            heapBefore = ConcurrencyUnits.heapAfterGc();
            before = ConcurrencyUnits.Memory.of(ProcessHandle.current().pid());
        }

        @TearDown(Level.Trial)
        public void noChildrenLeft() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<ProcessHandle> left;
            while (!(left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    left.forEach(ProcessHandle::destroyForcibly);
                    throw new IllegalStateException("child processes left after the units stopped (now killed): " + left);
                }
                Thread.sleep(50);
            }
        }
    }

    /** The memory per unit of one iteration (see the class comment for the scaling). UNIT: KiB. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PerUnit {
        public double rssKiB;
        public double pssKiB;
        public double heapKiB;

        @Setup(Level.Iteration)
        public void clear() {
            rssKiB = 0;
            pssKiB = 0;
            heapKiB = 0;
        }

        /** Measures the running units, then stops them. Runs after the timed call, before JMH reads the counters. */
        @TearDown(Level.Iteration)
        public void measureAndStop(Units units, BenchmarkParams benchmark, IterationParams iteration) throws InterruptedException {
            try (ConcurrencyUnits running = units.running) {
                if (running == null) {
                    return;
                }
                int k = units.count();
                double share = 1.0 / (iteration.getCount() * Math.max(1, benchmark.getForks()));
                if (running.inProcess()) {
                    long heap = ConcurrencyUnits.heapAfterGc();
                    ConcurrencyUnits.Memory after = ConcurrencyUnits.Memory.of(ProcessHandle.current().pid());
                    rssKiB = share * (after.rssKiB() - units.before.rssKiB()) / k;
                    pssKiB = share * (after.pssKiB() - units.before.pssKiB()) / k;
                    heapKiB = share * (heap - units.heapBefore) / 1024.0 / k;
                } else {
                    Thread.sleep(units.settleMillis);
                    List<ProcessHandle> children = running.processes();
                    if (children.size() != k) {
                        throw new IllegalStateException("expected " + k + " " + units.unit + " processes, found " + children);
                    }
                    long rss = 0;
                    long pss = 0;
                    for (ProcessHandle child : children) {
                        ConcurrencyUnits.Memory m = ConcurrencyUnits.Memory.of(child.pid());
                        rss += m.rssKiB();
                        pss += m.pssKiB();
                    }
                    rssKiB = share * rss / k;
                    pssKiB = share * pss / k;
                    heapKiB = Double.NaN;
                }
                if (iteration.getType() == IterationType.MEASUREMENT) {
                    System.out.printf("%n%s x %d: %.1f KiB RSS, %.1f KiB PSS, %.1f KiB heap per unit%n", units.unit, k, rssKiB / share,
                            pssKiB / share, heapKiB / share);
                }
            } finally {
                units.running = null;
            }
        }
    }

    /** Starts K units and returns when all are ready; {@code perUnit} measures them after. */
    @Benchmark
    public Object startUnits(Units units, PerUnit perUnit) throws Exception {
        units.running = ConcurrencyUnits.start(units.unit, units.count(), units.depth, units.appJar);
        return units.running;
    }
}
