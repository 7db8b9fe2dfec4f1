package io.cadre.compute.isolated;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How an {@link IsolatedExecutor} runs its children. Immutable; build with {@link #builder()}.
 *
 * @param name names the children's threads and log lines, e.g. {@code images}
 * @param jobs the job classes the children may run; nothing else runs
 * @param poolSize child JVMs kept warm
 * @param maxJobsPerChild a child is replaced after this many jobs
 * @param queueCapacity jobs that may wait for a free child; more are rejected at once
 * @param defaultTimeoutMillis the deadline of a job submitted without one. UNIT: ms
 * @param maxInputBytes the largest input accepted. UNIT: bytes
 * @param maxOutputBytes the largest output accepted. UNIT: bytes
 * @param jvmOptions the children's JVM options
 * @param breakerCrashes crashes of one job class within {@code breakerWindowMillis} that open its breaker
 * @param breakerWindowMillis UNIT: ms
 * @param breakerCooldownMillis how long an open breaker refuses the class. UNIT: ms
 * @param drainTimeoutMillis how long {@link IsolatedExecutor#close()} waits for running jobs. UNIT: ms
 * @param stderrLines how many of a child's last stderr lines a failure carries
 * @param java the {@code java} launcher of the children
 * @param classpath the children's class path
 */
public record IsolatedConfig(String name, Set<String> jobs, int poolSize, int maxJobsPerChild, int queueCapacity,
        long defaultTimeoutMillis, int maxInputBytes, int maxOutputBytes, List<String> jvmOptions, int breakerCrashes,
        long breakerWindowMillis, long breakerCooldownMillis, long drainTimeoutMillis, int stderrLines, Path java,
        String classpath) {

    /**
     * The children's default JVM options: a 256 MB heap ceiling (a memory bomb ends as a reported
     * out-of-memory, not a host-wide swap storm), the serial collector and C1 only with a small
     * code cache (a child is small and starts fast), no perf data file.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-Xss1m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=32m", "-XX:-UsePerfData", "-Xshare:auto");

    public IsolatedConfig {
        Objects.requireNonNull(name, "name");
        jobs = Set.copyOf(jobs);
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(java, "java");
        Objects.requireNonNull(classpath, "classpath");
        if (!name.matches("[A-Za-z0-9_.-]{1,40}")) {
            throw new IllegalArgumentException("name must be 1-40 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException("register at least one job class");
        }
        positive("poolSize", poolSize);
        positive("maxJobsPerChild", maxJobsPerChild);
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity must be >= 0, was " + queueCapacity);
        }
        positive("defaultTimeoutMillis", defaultTimeoutMillis);
        positive("maxInputBytes", maxInputBytes);
        positive("maxOutputBytes", maxOutputBytes);
        positive("breakerCrashes", breakerCrashes);
        positive("breakerWindowMillis", breakerWindowMillis);
        positive("breakerCooldownMillis", breakerCooldownMillis);
        positive("drainTimeoutMillis", drainTimeoutMillis);
        positive("stderrLines", stderrLines);
    }

    private static void positive(String what, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, was " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link IsolatedConfig}; every setter says its default. */
    public static final class Builder {
        private String name = "isolated";
        private final Set<String> jobs = new LinkedHashSet<>();
        private int poolSize = 2;
        private int maxJobsPerChild = 1_000;
        private int queueCapacity = 32;
        private long defaultTimeoutMillis = 30_000;
        private int maxInputBytes = 16 << 20;
        private int maxOutputBytes = 16 << 20;
        private final List<String> jvmOptions = new ArrayList<>(DEFAULT_JVM_OPTIONS);
        private int breakerCrashes = 3;
        private long breakerWindowMillis = 60_000;
        private long breakerCooldownMillis = 30_000;
        private long drainTimeoutMillis = 30_000;
        private int stderrLines = 20;
        private Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        private String classpath = System.getProperty("java.class.path");

        private Builder() {
        }

        /** Names the pool in thread names and logs. Default: {@code isolated}. */
        public Builder name(String value) {
            this.name = value;
            return this;
        }

        /** Allows these job classes (public, with a public no-argument constructor). Nothing else runs. */
        @SafeVarargs
        public final Builder register(Class<? extends IsolatedJob>... jobClasses) {
            for (Class<? extends IsolatedJob> c : jobClasses) {
                JobClasses.check(c);
                jobs.add(c.getName());
            }
            return this;
        }

        /** Child JVMs kept warm. Default: 2. */
        public Builder poolSize(int value) {
            this.poolSize = value;
            return this;
        }

        /** Jobs a child runs before it is replaced (in the background). Default: 1000. */
        public Builder maxJobsPerChild(int value) {
            this.maxJobsPerChild = value;
            return this;
        }

        /** Jobs that may wait for a free child; beyond, submission fails at once. Default: 32. */
        public Builder queueCapacity(int value) {
            this.queueCapacity = value;
            return this;
        }

        /** The deadline of a job submitted without one. Default: 30 s. */
        public Builder defaultTimeout(Duration value) {
            this.defaultTimeoutMillis = value.toMillis();
            return this;
        }

        /** The largest input accepted. Default: 16 MiB. */
        public Builder maxInputBytes(int value) {
            this.maxInputBytes = value;
            return this;
        }

        /** The largest output accepted; a larger one fails the job with {@link OutputTooLargeException}. Default: 16 MiB. */
        public Builder maxOutputBytes(int value) {
            this.maxOutputBytes = value;
            return this;
        }

        /** Replaces the children's JVM options. Default: {@link IsolatedConfig#DEFAULT_JVM_OPTIONS}. */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions.clear();
            this.jvmOptions.addAll(options);
            return this;
        }

        /** Opens a job class's breaker after {@code crashes} within {@code window}, for {@code cooldown}. Default: 3 in 60 s, for 30 s. */
        public Builder breaker(int crashes, Duration window, Duration cooldown) {
            this.breakerCrashes = crashes;
            this.breakerWindowMillis = window.toMillis();
            this.breakerCooldownMillis = cooldown.toMillis();
            return this;
        }

        /** How long {@code close()} waits for running and queued jobs before it kills the children. Default: 30 s. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeoutMillis = value.toMillis();
            return this;
        }

        /** Lines of a child's stderr a failure carries. Default: 20. */
        public Builder stderrLines(int value) {
            this.stderrLines = value;
            return this;
        }

        /** The {@code java} launcher of the children. Default: this JVM's. */
        public Builder java(Path value) {
            this.java = value;
            return this;
        }

        /** The children's class path. Default: this JVM's {@code java.class.path}. */
        public Builder classpath(String value) {
            this.classpath = value;
            return this;
        }

        public IsolatedConfig build() {
            return new IsolatedConfig(name, jobs, poolSize, maxJobsPerChild, queueCapacity, defaultTimeoutMillis, maxInputBytes,
                    maxOutputBytes, jvmOptions, breakerCrashes, breakerWindowMillis, breakerCooldownMillis, drainTimeoutMillis,
                    stderrLines, java, classpath);
        }
    }
}
