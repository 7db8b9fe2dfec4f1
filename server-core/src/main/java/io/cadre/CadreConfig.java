package io.cadre;

import java.util.List;
import java.util.Objects;

/**
 * How a Cadre cluster runs. Immutable; validated when built; nothing changes after start.
 *
 * <p>Where a value comes from, strongest first: the command line ({@code --port}), the environment
 * ({@code CADRE_PORT}), the app ({@link App.Builder#config}), then the defaults documented here.
 *
 * @param host the address every worker binds. Default: {@code 0.0.0.0}.
 * @param port the TCP port every worker binds. {@code 0} makes the primary pick a free port once.
 *     Default: 8080.
 * @param workers how many worker JVMs run. Default: the number of available processors.
 * @param drainTimeoutMillis how long a draining worker may finish in-flight requests before it is
 *     stopped. UNIT: ms. Default: 30000.
 * @param workerJvmOptions JVM options for workers, after the default ones (so they win).
 *     Default: none.
 * @param defaultWorkerJvmOptions whether workers get Cadre's small-footprint JVM options
 *     (see {@code docs/operations.md}). Default: true.
 * @param logPrefix whether the primary prefixes each line a worker prints with {@code [worker N]}.
 *     Default: true.
 * @param supervision how the primary restarts crashed workers.
 * @param http the limits of every worker's HTTP server.
 * @param compute each worker's compute pool, for {@code @CpuBound} routes.
 * @param operations hung-worker detection, recycling, rolling restarts and the admin port.
 */
public record CadreConfig(
        String host,
        int port,
        int workers,
        long drainTimeoutMillis,
        List<String> workerJvmOptions,
        boolean defaultWorkerJvmOptions,
        boolean logPrefix,
        Supervision supervision,
        HttpLimits http,
        Compute compute,
        Operations operations) {

    /** The most workers one primary runs. */
    public static final int MAX_WORKERS = 1024;

    public CadreConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1.." + MAX_WORKERS + ", was " + workers);
        }
        if (drainTimeoutMillis < 0) {
            throw new IllegalArgumentException("drainTimeoutMillis must be >= 0, was " + drainTimeoutMillis);
        }
        workerJvmOptions = List.copyOf(workerJvmOptions);
        Objects.requireNonNull(supervision, "supervision");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(compute, "compute");
        Objects.requireNonNull(operations, "operations");
    }

    /** The defaults, with {@code workers} set to the available processors. */
    public static CadreConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration. */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).workers(workers).drainTimeoutMillis(drainTimeoutMillis)
                .workerJvmOptions(workerJvmOptions).defaultWorkerJvmOptions(defaultWorkerJvmOptions)
                .logPrefix(logPrefix).supervision(supervision).http(http).compute(compute).operations(operations);
    }

    /**
     * How the primary operates a running cluster (docs/operations.md).
     *
     * @param hangTimeoutMillis a ready worker whose heartbeat stops this long gets a thread dump
     *     (SIGQUIT) and is killed and replaced. UNIT: ms. Default: 30000.
     * @param rolloutBatch workers replaced at once by a rolling restart. Default: 1.
     * @param maxRequests a worker that has served about this many requests is replaced gracefully
     *     (each worker draws its own limit up to 10% lower, so they do not recycle together);
     *     0 is off. Default: 0.
     * @param maxMemoryBytes a worker whose resident set size passes this is replaced gracefully; 0 is
     *     off. UNIT: bytes. Default: 0.
     * @param adminPort the loopback port where the primary serves {@code /metrics} (Prometheus);
     *     0 picks a free one, -1 is off. Default: -1.
     * @param bootNice how much lower (a Linux nice increment, 0..19) the CPU priority of a
     *     replacement worker is while it boots next to the worker it replaces (rolling restart,
     *     recycling), so that its boot takes the CPU the serving workers leave rather than theirs;
     *     it gets the normal priority back once ready, or after half the boot timeout. 0 is off.
     *     Needs the privilege to raise a priority again (root, CAP_SYS_NICE or RLIMIT_NICE), else
     *     off with one log line. Default: 10.
     * @param warmUpPaths paths (each of a {@code GET} route, a query allowed) that a replacement
     *     worker requests from itself, on a private loopback listener, before it joins the port:
     *     its first real requests then run compiled code instead of the interpreter's. Only for
     *     replacements of a serving worker (rolling restart, recycling), never for the first
     *     workers or crash replacements, which must serve as soon as they can. Pick paths without
     *     side effects. Empty is off. Default: empty.
     * @param warmUpRequests how many warm-up requests a replacement sends, spread over the paths;
     *     it stops earlier at a quarter of the boot timeout (less when the boot was slow: it ends
     *     a tenth of the boot timeout, at least 1 s, before that runs out), or when the worker
     *     begins to drain. Default: 10000.
     */
    public record Operations(long hangTimeoutMillis, int rolloutBatch, long maxRequests, long maxMemoryBytes, int adminPort,
            int bootNice, List<String> warmUpPaths, int warmUpRequests) {
        public static final Operations DEFAULTS = new Operations(30_000, 1, 0, 0, -1, 10, List.of(), 10_000);

        public Operations {
            positive("hangTimeoutMillis", hangTimeoutMillis);
            positive("rolloutBatch", rolloutBatch);
            if (maxRequests < 0) {
                throw new IllegalArgumentException("maxRequests must be >= 0, was " + maxRequests);
            }
            if (maxMemoryBytes < 0) {
                throw new IllegalArgumentException("maxMemoryBytes must be >= 0, was " + maxMemoryBytes);
            }
            if (adminPort < -1 || adminPort > 65535) {
                throw new IllegalArgumentException("adminPort must be -1 (off) or 0..65535, was " + adminPort);
            }
            if (bootNice < 0 || bootNice > 19) {
                throw new IllegalArgumentException("bootNice must be 0 (off) to 19, was " + bootNice);
            }
            warmUpPaths = List.copyOf(warmUpPaths);
            for (String path : warmUpPaths) {
                if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
                    throw new IllegalArgumentException("warm-up path '" + path + "' must start with '/' and hold no spaces or control characters");
                }
                try {
                    if (new java.net.URI(path).getRawFragment() != null) {
                        throw new IllegalArgumentException("warm-up path '" + path + "' must not hold a fragment ('#')");
                    }
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalArgumentException("warm-up path '" + path + "' is not a valid request target: " + e.getReason()
                            + " at index " + e.getIndex());
                }
            }
            positive("warmUpRequests", warmUpRequests);
        }

        public Operations withHangTimeout(long millis) {
            return new Operations(millis, rolloutBatch, maxRequests, maxMemoryBytes, adminPort, bootNice, warmUpPaths, warmUpRequests);
        }

        public Operations withRolloutBatch(int batch) {
            return new Operations(hangTimeoutMillis, batch, maxRequests, maxMemoryBytes, adminPort, bootNice, warmUpPaths, warmUpRequests);
        }

        public Operations withMaxRequests(long requests) {
            return new Operations(hangTimeoutMillis, rolloutBatch, requests, maxMemoryBytes, adminPort, bootNice, warmUpPaths, warmUpRequests);
        }

        public Operations withMaxMemoryBytes(long bytes) {
            return new Operations(hangTimeoutMillis, rolloutBatch, maxRequests, bytes, adminPort, bootNice, warmUpPaths, warmUpRequests);
        }

        public Operations withAdminPort(int port) {
            return new Operations(hangTimeoutMillis, rolloutBatch, maxRequests, maxMemoryBytes, port, bootNice, warmUpPaths, warmUpRequests);
        }

        public Operations withBootNice(int nice) {
            return new Operations(hangTimeoutMillis, rolloutBatch, maxRequests, maxMemoryBytes, adminPort, nice, warmUpPaths, warmUpRequests);
        }

        /** Warm-up paths for replacement workers (empty: off) and the number of requests they send. */
        public Operations withWarmUp(List<String> paths, int requests) {
            return new Operations(hangTimeoutMillis, rolloutBatch, maxRequests, maxMemoryBytes, adminPort, bootNice, paths, requests);
        }
    }

    /**
     * How the primary keeps workers alive.
     *
     * @param backoffInitialMillis the delay before the first restart of a crashed worker; each further
     *     crash of the same slot doubles it, with ±20% jitter. UNIT: ms. Default: 100.
     * @param backoffMaxMillis the cap of the restart delay. UNIT: ms. Default: 30000.
     * @param stableMillis a worker that stays ready this long resets its slot's backoff. UNIT: ms.
     *     Default: 30000.
     * @param breakerCrashes crashes within {@code breakerWindowMillis} that open the crash breaker:
     *     no fork follows the crash that reaches this count. Default: 5.
     * @param breakerWindowMillis the sliding window of the crash breaker. UNIT: ms. Default: 60000.
     * @param bootTimeoutMillis a worker not ready this long after its fork is killed and counted as
     *     a crash. UNIT: ms. Default: 60000.
     * @param heartbeatIntervalMillis how often a worker tells the primary it is alive. UNIT: ms.
     *     Default: 1000.
     */
    public record Supervision(
            long backoffInitialMillis,
            long backoffMaxMillis,
            long stableMillis,
            int breakerCrashes,
            long breakerWindowMillis,
            long bootTimeoutMillis,
            long heartbeatIntervalMillis) {

        public static final Supervision DEFAULTS = new Supervision(100, 30_000, 30_000, 5, 60_000, 60_000, 1_000);

        public Supervision {
            positive("backoffInitialMillis", backoffInitialMillis);
            positive("backoffMaxMillis", backoffMaxMillis);
            if (backoffMaxMillis < backoffInitialMillis) {
                throw new IllegalArgumentException("backoffMaxMillis (" + backoffMaxMillis
                        + ") must be >= backoffInitialMillis (" + backoffInitialMillis + ")");
            }
            positive("stableMillis", stableMillis);
            positive("breakerCrashes", breakerCrashes);
            positive("breakerWindowMillis", breakerWindowMillis);
            positive("bootTimeoutMillis", bootTimeoutMillis);
            positive("heartbeatIntervalMillis", heartbeatIntervalMillis);
        }

        /** These settings with another restart delay: the first one, and the cap. UNIT: ms. */
        public Supervision withBackoff(long initialMillis, long maxMillis) {
            return new Supervision(initialMillis, maxMillis, stableMillis, breakerCrashes, breakerWindowMillis,
                    bootTimeoutMillis, heartbeatIntervalMillis);
        }

        /** These settings with another crash breaker: {@code crashes} within {@code windowMillis}. */
        public Supervision withBreaker(int crashes, long windowMillis) {
            return new Supervision(backoffInitialMillis, backoffMaxMillis, stableMillis, crashes, windowMillis,
                    bootTimeoutMillis, heartbeatIntervalMillis);
        }

        /** These settings with another stable period, boot timeout and heartbeat interval. UNIT: ms. */
        public Supervision withTimings(long stable, long bootTimeout, long heartbeatInterval) {
            return new Supervision(backoffInitialMillis, backoffMaxMillis, stable, breakerCrashes, breakerWindowMillis,
                    bootTimeout, heartbeatInterval);
        }
    }

    /**
     * The limits of every worker's HTTP server (Undertow). The parser is strict: no unescaped
     * characters in URLs, no encoded slashes.
     *
     * @param maxHeaderBytes the most bytes of request line and headers. UNIT: bytes. Default: 16384.
     * @param maxHeaders the most request headers. Default: 100.
     * @param maxParameters the most query parameters. Default: 1000.
     * @param maxCookies the most cookies. Default: 100.
     * @param maxEntityBytes the largest request body; a bigger one is answered 413. UNIT: bytes.
     *     Default: 1048576.
     * @param requestParseTimeoutMillis the longest a client may take to send a request's line and
     *     headers (slowloris). UNIT: ms. Default: 10000.
     * @param idleTimeoutMillis how long a connection may stay idle, reading or writing nothing.
     *     UNIT: ms. Default: 60000.
     * @param noRequestTimeoutMillis how long a keep-alive connection may wait for its next request.
     *     UNIT: ms. Default: 60000.
     * @param ioThreads the IO (event loop) threads of each worker; {@code 0} means
     *     {@code max(1, processors / workers)}. Default: 0.
     * @param backlog the listen backlog of each worker's socket. Default: 1024.
     * @param ioStallWarnMillis an IO thread busy with one request longer than this is logged once,
     *     with its stack (CPU work missing {@code @CpuBound}, or blocking in a
     *     {@code @NonBlocking} route). UNIT: ms. Default: 2000.
     */
    public record HttpLimits(
            int maxHeaderBytes,
            int maxHeaders,
            int maxParameters,
            int maxCookies,
            long maxEntityBytes,
            long requestParseTimeoutMillis,
            long idleTimeoutMillis,
            long noRequestTimeoutMillis,
            int ioThreads,
            int backlog,
            long ioStallWarnMillis) {

        public static final HttpLimits DEFAULTS = new HttpLimits(16_384, 100, 1_000, 100, 1_048_576, 10_000, 60_000, 60_000, 0,
                1_024, 2_000);

        public HttpLimits {
            positive("maxHeaderBytes", maxHeaderBytes);
            positive("maxHeaders", maxHeaders);
            positive("maxParameters", maxParameters);
            positive("maxCookies", maxCookies);
            positive("maxEntityBytes", maxEntityBytes);
            positive("requestParseTimeoutMillis", requestParseTimeoutMillis);
            positive("idleTimeoutMillis", idleTimeoutMillis);
            positive("noRequestTimeoutMillis", noRequestTimeoutMillis);
            if (requestParseTimeoutMillis > Integer.MAX_VALUE || idleTimeoutMillis > Integer.MAX_VALUE
                    || noRequestTimeoutMillis > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("HTTP timeouts must fit in an int of milliseconds");
            }
            if (ioThreads < 0) {
                throw new IllegalArgumentException("ioThreads must be >= 0, was " + ioThreads);
            }
            positive("backlog", backlog);
            positive("ioStallWarnMillis", ioStallWarnMillis);
        }

        /** These limits with other request size limits. UNIT: bytes. */
        public HttpLimits withSizes(int headerBytes, long entityBytes) {
            return new HttpLimits(headerBytes, maxHeaders, maxParameters, maxCookies, entityBytes, requestParseTimeoutMillis,
                    idleTimeoutMillis, noRequestTimeoutMillis, ioThreads, backlog, ioStallWarnMillis);
        }

        /** These limits with other counts of headers, query parameters and cookies. */
        public HttpLimits withCounts(int headers, int parameters, int cookies) {
            return new HttpLimits(maxHeaderBytes, headers, parameters, cookies, maxEntityBytes, requestParseTimeoutMillis,
                    idleTimeoutMillis, noRequestTimeoutMillis, ioThreads, backlog, ioStallWarnMillis);
        }

        /** These limits with other timeouts: to send the headers, idle, and between requests. UNIT: ms. */
        public HttpLimits withTimeouts(long requestParseMillis, long idleMillis, long noRequestMillis) {
            return new HttpLimits(maxHeaderBytes, maxHeaders, maxParameters, maxCookies, maxEntityBytes, requestParseMillis,
                    idleMillis, noRequestMillis, ioThreads, backlog, ioStallWarnMillis);
        }

        /** These limits with another number of IO threads ({@code 0}: automatic) and listen backlog. */
        public HttpLimits withThreads(int ioThreadCount, int listenBacklog) {
            return new HttpLimits(maxHeaderBytes, maxHeaders, maxParameters, maxCookies, maxEntityBytes, requestParseTimeoutMillis,
                    idleTimeoutMillis, noRequestTimeoutMillis, ioThreadCount, listenBacklog, ioStallWarnMillis);
        }

        /** These limits with another IO stall warning threshold. UNIT: ms. */
        public HttpLimits withIoStallWarnMillis(long millis) {
            return new HttpLimits(maxHeaderBytes, maxHeaders, maxParameters, maxCookies, maxEntityBytes, requestParseTimeoutMillis,
                    idleTimeoutMillis, noRequestTimeoutMillis, ioThreads, backlog, millis);
        }
    }

    /**
     * Each worker's compute pool. All the pools of a host together should not run more CPU-bound
     * threads than it has cores, hence the default size (see docs/compute-pool.md).
     *
     * @param threads the pool's threads; {@code 0} means {@code max(1, processors / workers)}.
     *     Default: 0.
     * @param virtualThreads run tasks on virtual threads bounded by a semaphore of {@code threads}
     *     permits instead of a platform-thread pool, to compare the two. Default: false.
     * @param niceness how much lower than the IO threads the compute threads run, as a Linux nice
     *     value (0 to 19; 0 leaves them alone). Default: 5.
     * @param idleScheduling run the compute threads under Linux's {@code SCHED_IDLE} policy: they
     *     get a CPU only when no IO or request thread wants one, so {@code @CpuBound} work cannot
     *     raise IO latency; while IO keeps every CPU busy, compute waits (and times out in its
     *     queue, answering 503). Default: true (see docs/benchmarks.md, mixed load).
     * @param queue the most requests of one {@code @CpuBound} route that wait, unless the route says
     *     otherwise. Default: 0, the pool's own default.
     * @param queueTimeoutMillis the longest such a request waits before it is refused, unless the
     *     route says otherwise. UNIT: ms. Default: 0, the pool's own default.
     */
    public record Compute(int threads, boolean virtualThreads, int niceness, boolean idleScheduling, int queue,
            long queueTimeoutMillis) {
        public static final Compute DEFAULTS = new Compute(0, false, 5, true, 0, 0);

        public Compute {
            if (threads < 0 || threads > 4096) {
                throw new IllegalArgumentException("compute threads must be 0..4096, was " + threads);
            }
            if (niceness < 0 || niceness > 19) {
                throw new IllegalArgumentException("compute niceness must be 0..19, was " + niceness);
            }
            if (queue < 0 || queueTimeoutMillis < 0) {
                throw new IllegalArgumentException("compute queue and queue timeout must not be negative");
            }
        }

        /** The pool size for {@code workers} workers on this host. */
        public int threadsFor(int workers) {
            return threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, workers));
        }

        public Compute withThreads(int count) {
            return new Compute(count, virtualThreads, niceness, idleScheduling, queue, queueTimeoutMillis);
        }

        public Compute withVirtualThreads(boolean virtual) {
            return new Compute(threads, virtual, niceness, idleScheduling, queue, queueTimeoutMillis);
        }

        public Compute withNiceness(int nice) {
            return new Compute(threads, virtualThreads, nice, idleScheduling, queue, queueTimeoutMillis);
        }

        public Compute withIdleScheduling(boolean idle) {
            return new Compute(threads, virtualThreads, niceness, idle, queue, queueTimeoutMillis);
        }

        public Compute withQueue(int size, long timeoutMillis) {
            return new Compute(threads, virtualThreads, niceness, idleScheduling, size, timeoutMillis);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    /** Builds a {@link CadreConfig}; every setter has the default documented on the record. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private int workers = Runtime.getRuntime().availableProcessors();
        private long drainTimeoutMillis = 30_000;
        private List<String> workerJvmOptions = List.of();
        private boolean defaultWorkerJvmOptions = true;
        private boolean logPrefix = true;
        private Supervision supervision = Supervision.DEFAULTS;
        private HttpLimits http = HttpLimits.DEFAULTS;
        private Compute compute = Compute.DEFAULTS;
        private Operations operations = Operations.DEFAULTS;

        private Builder() {
        }

        public Builder host(String value) {
            this.host = value;
            return this;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder workers(int value) {
            this.workers = value;
            return this;
        }

        public Builder drainTimeoutMillis(long value) {
            this.drainTimeoutMillis = value;
            return this;
        }

        public Builder workerJvmOptions(List<String> value) {
            this.workerJvmOptions = List.copyOf(value);
            return this;
        }

        public Builder defaultWorkerJvmOptions(boolean value) {
            this.defaultWorkerJvmOptions = value;
            return this;
        }

        public Builder logPrefix(boolean value) {
            this.logPrefix = value;
            return this;
        }

        public Builder supervision(Supervision value) {
            this.supervision = value;
            return this;
        }

        public Builder http(HttpLimits value) {
            this.http = value;
            return this;
        }

        public Builder compute(Compute value) {
            this.compute = value;
            return this;
        }

        public Builder operations(Operations value) {
            this.operations = value;
            return this;
        }

        public CadreConfig build() {
            return new CadreConfig(host, port, workers, drainTimeoutMillis, workerJvmOptions, defaultWorkerJvmOptions,
                    logPrefix, supervision, http, compute, operations);
        }
    }
}
