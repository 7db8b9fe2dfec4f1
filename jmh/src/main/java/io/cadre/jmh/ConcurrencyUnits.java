package io.cadre.jmh;

import io.cadre.compute.isolated.IsolatedConfig;
import io.cadre.compute.isolated.IsolatedExecutor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * K units of concurrency of one kind for {@link MemoryPerUnitBenchmark}, started and ready (parked
 * threads, or child JVMs that are up), and what the OS says they occupy. Not thread-safe: one
 * benchmark thread starts, measures and closes a group.
 */
abstract class ConcurrencyUnits implements AutoCloseable {
    /** Resident and proportional set size of a process, from /proc/PID/smaps_rollup. UNIT: KiB. */
    record Memory(long rssKiB, long pssKiB) {
        static Memory of(long pid) {
            long rss = -1;
            long pss = -1;
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                    if (line.startsWith("Rss:")) {
                        rss = kib(line);
                    } else if (line.startsWith("Pss:")) {
                        pss = kib(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /proc/" + pid + "/smaps_rollup (Linux only)", e);
            }
            if (rss < 0 || pss < 0) {
                throw new IllegalStateException("no Rss or Pss in /proc/" + pid + "/smaps_rollup");
            }
            return new Memory(rss, pss);
        }

        private static long kib(String line) {
            return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
        }
    }

    /** Starts {@code count} units of {@code kind} and returns when every one is ready. */
    static ConcurrencyUnits start(String kind, int count, int depth, String appJar) throws Exception {
        ConcurrencyUnits units = switch (kind) {
            case "platform" -> new Threads(Thread.ofPlatform().name("mem-unit-", 0), count, depth);
            case "virtual" -> new Threads(Thread.ofVirtual().name("mem-unit-vt-", 0), count, depth);
            case "jvm" -> new IdleJvms(count);
            case "isolated" -> new Isolated(count);
            case "worker" -> new Workers(count, appJar);
            default -> throw new IllegalArgumentException("unit must be platform, virtual, jvm, isolated or worker, was " + kind);
        };
        try {
            units.start();
        } catch (Exception | Error e) {
            units.close();
            throw e;
        }
        return units;
    }

    /** Whether the units are threads of this JVM (measured as this process's growth) or processes. */
    abstract boolean inProcess();

    abstract void start() throws Exception;

    /** The processes that are the units (empty for threads). */
    List<ProcessHandle> processes() {
        return List.of();
    }

    @Override
    public abstract void close();

    /** K threads, each parked on a latch {@code depth} frames down until the group closes. */
    static final class Threads extends ConcurrencyUnits {
        private final Thread.Builder builder;
        private final int count;
        private final int depth;
        private final CountDownLatch release = new CountDownLatch(1);
        private final List<Thread> threads = new ArrayList<>();

        Threads(Thread.Builder builder, int count, int depth) {
            this.builder = builder;
            this.count = count;
            this.depth = depth;
        }

        @Override
        boolean inProcess() {
            return true;
        }

        @Override
        void start() throws InterruptedException {
            CountDownLatch ready = new CountDownLatch(count);
            for (int i = 0; i < count; i++) {
                threads.add(builder.start(() -> park(depth, ready)));
            }
            ready.await();
        }

        private long park(int frames, CountDownLatch ready) {
            if (frames > 0) {
                return park(frames - 1, ready) + frames;
            }
            ready.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        @Override
        public void close() {
            release.countDown();
            for (Thread t : threads) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Child processes started by this JVM, each reporting ready on its own. */
    abstract static class Children extends ConcurrencyUnits {
        @Override
        boolean inProcess() {
            return false;
        }

        static String java() {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }

        /** Reads {@code in} on a virtual thread, handing each line to {@code lines} (which may be null). */
        static void pump(InputStream in, java.util.function.Consumer<String> lines) {
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (lines != null) {
                            lines.accept(line);
                        }
                    }
                } catch (IOException e) {
                    // the child is gone
                }
            });
        }

        static void stop(Process p, long graceMillis) {
            try {
                if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    /**
     * K idle JVMs ({@link IdleJvm}) with Cadre's default worker JVM options for K workers (as
     * {@code WorkerCommand.defaultOptions} in server-core: serial GC, 8 MiB initial heap, a 75%/K
     * memory share, exit on out-of-memory), without the AOT cache.
     */
    static final class IdleJvms extends Children {
        private final int count;
        private final List<Process> children = new ArrayList<>();

        IdleJvms(int count) {
            this.count = count;
        }

        @Override
        void start() throws Exception {
            String share = String.format(Locale.ROOT, "-XX:MaxRAMPercentage=%.1f", Math.max(1.0, 75.0 / count));
            CountDownLatch ready = new CountDownLatch(count);
            for (int i = 0; i < count; i++) {
                Process p = new ProcessBuilder(java(), "-XX:+UseSerialGC", "-Xms12m", "-XX:NewSize=8m", share, // WorkerCommand.defaultOptions
                        "-XX:+ExitOnOutOfMemoryError", "-cp",
                        System.getProperty("java.class.path"), IdleJvm.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                children.add(p);
                pump(p.getInputStream(), line -> {
                    if (line.equals("ready")) {
                        ready.countDown();
                    }
                });
            }
            if (!ready.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not every idle JVM was ready within 120 s");
            }
        }

        @Override
        List<ProcessHandle> processes() {
            return children.stream().map(Process::toHandle).toList();
        }

        @Override
        public void close() {
            for (Process p : children) {
                try {
                    p.getOutputStream().close(); // EOF on its stdin: it exits
                } catch (IOException e) {
                    p.destroyForcibly();
                }
            }
            children.forEach(p -> stop(p, 10_000));
        }
    }

    /** An {@link IsolatedExecutor} with K warm children and its default child JVM options. */
    static final class Isolated extends Children {
        private final int count;
        private IsolatedExecutor executor;

        Isolated(int count) {
            this.count = count;
        }

        @Override
        void start() throws InterruptedException {
            executor = IsolatedExecutor.start(IsolatedConfig.builder().name("mem-unit").register(CpuKernelJob.class).poolSize(count)
                    .maxJobsPerChild(Integer.MAX_VALUE).drainTimeout(Duration.ofSeconds(2)).build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (executor.stats().liveChildren() < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not every isolated child was ready within 120 s: " + executor.stats());
                }
                Thread.sleep(5);
            }
        }

        @Override
        List<ProcessHandle> processes() {
            return ProcessHandle.current().children().filter(p -> p.info().commandLine().orElse("").contains("ChildMain")).toList();
        }

        @Override
        public void close() {
            if (executor != null) {
                executor.close();
            }
        }
    }

    /**
     * The reference app ({@code java -jar APP --port 0 --workers K}) with its default worker
     * options and AOT cache; the units are its worker JVMs, not the primary.
     */
    static final class Workers extends Children {
        private final int count;
        private final Path jar;
        private Process primary;
        private Path runtimeDir;

        Workers(int count, String appJar) {
            this.count = count;
            this.jar = Path.of(appJar).toAbsolutePath();
        }

        @Override
        void start() throws Exception {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("the reference app " + jar + " is not built (./cadre.sh build), or pass -p appJar=PATH");
            }
            runtimeDir = Files.createTempDirectory("cadre-mem-unit");
            ProcessBuilder pb = new ProcessBuilder(java(), "-jar", jar.toString(), "--port", "0", "--workers", Integer.toString(count));
            pb.environment().put("CADRE_RUNTIME_DIR", runtimeDir.toString());
            primary = pb.start();
            CountDownLatch listening = new CountDownLatch(1);
            pump(primary.getInputStream(), line -> {
                if (line.startsWith("cadre listening on ")) {
                    listening.countDown();
                }
            });
            pump(primary.getErrorStream(), null);
            if (!listening.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the reference app did not print 'cadre listening' within 120 s");
            }
        }

        @Override
        List<ProcessHandle> processes() {
            return primary.children().filter(p -> p.info().command().orElse("").endsWith("java")).toList();
        }

        @Override
        public void close() {
            if (primary != null) {
                primary.destroy(); // SIGTERM: the primary drains and stops its workers
                stop(primary, 60_000);
            }
            if (runtimeDir != null) {
                try (Stream<Path> files = Files.walk(runtimeDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    // left in the temp directory
                }
            }
        }
    }

    /** Heap in use after a full collection. UNIT: bytes. */
    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
