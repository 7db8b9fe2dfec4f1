package io.cadre.internal;

import io.cadre.App;
import io.cadre.CadreConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * What one launch runs with: the configuration after the command line and the environment were
 * applied to the app's defaults, and the app's own options. Primary and workers parse the same
 * command line and environment, so they agree; the primary passes only what it decided itself (the
 * port it picked) to workers through their environment.
 */
public record Settings(CadreConfig config, Map<String, String> appOptions, boolean help, Optional<Path> aotTrain,
        List<String> aotTrainPaths) {

    public Settings {
        appOptions = Map.copyOf(appOptions);
        aotTrainPaths = List.copyOf(aotTrainPaths);
    }

    /** The options Cadre itself reads, each also from the environment variable beside it. */
    public static final Map<String, String> CADRE_OPTIONS = Map.ofEntries(
            Map.entry("host", "CADRE_HOST"),
            Map.entry("port", "CADRE_PORT"),
            Map.entry("workers", "CADRE_WORKERS"),
            Map.entry("drain-timeout", "CADRE_DRAIN_TIMEOUT"),
            Map.entry("worker-jvm-opts", "CADRE_WORKER_JVM_OPTS"),
            Map.entry("restart-delay", "CADRE_RESTART_DELAY"),
            Map.entry("breaker", "CADRE_BREAKER"),
            Map.entry("compute-threads", "CADRE_COMPUTE_THREADS"),
            Map.entry("compute-kind", "CADRE_COMPUTE_KIND"),
            Map.entry("compute-nice", "CADRE_COMPUTE_NICE"),
            Map.entry("compute-idle", "CADRE_COMPUTE_IDLE"),
            Map.entry("aot-train", "CADRE_AOT_TRAIN"),
            Map.entry("aot-train-paths", "CADRE_AOT_TRAIN_PATHS"),
            Map.entry("hang-timeout", "CADRE_HANG_TIMEOUT"),
            Map.entry("rollout-batch", "CADRE_ROLLOUT_BATCH"),
            Map.entry("max-requests", "CADRE_MAX_REQUESTS"),
            Map.entry("max-memory", "CADRE_MAX_MEMORY"),
            Map.entry("admin-port", "CADRE_ADMIN_PORT"),
            Map.entry("boot-nice", "CADRE_BOOT_NICE"),
            Map.entry("warm-up", "CADRE_WARM_UP"),
            Map.entry("warm-up-requests", "CADRE_WARM_UP_REQUESTS"));

    public Optional<String> option(String name) {
        return Optional.ofNullable(appOptions.get(name));
    }

    /** Thrown for bad input; the message is one line meant for the user. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    public static Settings parse(App app, String[] args, Map<String, String> env) throws UsageException {
        CadreConfig.Builder b = app.config().toBuilder();
        // The environment first, then the command line, so the command line wins.
        Map<String, String> given = new LinkedHashMap<>();
        for (Map.Entry<String, String> option : new java.util.TreeMap<>(CADRE_OPTIONS).entrySet()) {
            String value = env.get(option.getValue());
            if (value != null && !value.isBlank()) {
                given.put(option.getKey(), value);
            }
        }
        Map<String, String> appOptions = new LinkedHashMap<>();
        for (String name : app.options().keySet()) {
            String value = env.get(envName(name));
            if (value != null && !value.isBlank()) {
                appOptions.put(name, value);
            }
        }
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "'; options look like --name VALUE (try --help)");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                value = null;
            }
            if (!CADRE_OPTIONS.containsKey(name) && !app.options().containsKey(name)) {
                TreeSet<String> known = new TreeSet<>(CADRE_OPTIONS.keySet());
                known.addAll(app.options().keySet());
                throw new UsageException("unknown option --" + name + "; known options: --" + String.join(", --", known));
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (CADRE_OPTIONS.containsKey(name)) {
                given.put(name, value);
            } else {
                appOptions.put(name, value);
            }
        }
        CadreConfig.Supervision supervision = app.config().supervision();
        CadreConfig.Compute compute = app.config().compute();
        CadreConfig.Operations operations = app.config().operations();
        Optional<Path> aotTrain = Optional.empty();
        List<String> aotTrainPaths = List.of();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String value = e.getValue().trim();
            switch (e.getKey()) {
                case "restart-delay" -> supervision = withRestartDelay(supervision, number("restart-delay", value, 1, 3_600_000));
                case "breaker" -> supervision = withBreaker(supervision, value);
                case "compute-threads" -> compute = compute.withThreads((int) number("compute-threads", value, 1, 4096));
                case "compute-nice" -> compute = compute.withNiceness((int) number("compute-nice", value, 0, 19));
                case "compute-idle" -> compute = compute.withIdleScheduling(switch (value.toLowerCase(java.util.Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new UsageException("invalid --compute-idle '" + value + "': expected true or false");
                });
                case "compute-kind" -> compute = compute.withVirtualThreads(switch (value.toLowerCase(java.util.Locale.ROOT)) {
                    case "platform" -> false;
                    case "virtual" -> true;
                    default -> throw new UsageException("invalid --compute-kind '" + value + "': expected platform or virtual");
                });
                case "hang-timeout" -> operations = operations.withHangTimeout(number("hang-timeout", value, 100, 24L * 3600 * 1000));
                case "rollout-batch" -> operations = operations.withRolloutBatch((int) number("rollout-batch", value, 1, CadreConfig.MAX_WORKERS));
                case "max-requests" -> operations = operations.withMaxRequests(number("max-requests", value, 0, Long.MAX_VALUE / 2));
                case "max-memory" -> operations = operations.withMaxMemoryBytes(number("max-memory", value, 0, 1L << 24, "megabytes") << 20);
                case "boot-nice" -> operations = operations.withBootNice((int) number("boot-nice", value, 0, 19));
                case "warm-up" -> {
                    try {
                        operations = operations.withWarmUp(value.isEmpty() ? List.of() : paths("warm-up", value), operations.warmUpRequests());
                    } catch (IllegalArgumentException bad) {
                        throw new UsageException("invalid --warm-up: " + bad.getMessage());
                    }
                }
                case "warm-up-requests" -> operations = operations.withWarmUp(operations.warmUpPaths(),
                        (int) number("warm-up-requests", value, 1, 10_000_000));
                case "admin-port" -> operations = operations.withAdminPort((int) number("admin-port", value, -1, 65535));
                case "aot-train" -> aotTrain = Optional.of(Path.of(value));
                case "aot-train-paths" -> aotTrainPaths = paths("aot-train-paths", value);
                default -> apply(b, e.getKey(), value);
            }
        }
        checkWarmUp(app, operations.warmUpPaths());
        try {
            return new Settings(b.supervision(supervision).compute(compute).operations(operations).build(), appOptions, help, aotTrain, aotTrainPaths);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid configuration: " + e.getMessage());
        }
    }

    /** Every warm-up path must reach a GET route (or a health endpoint): a typo would warm up nothing but 404s. */
    private static void checkWarmUp(App app, List<String> paths) throws UsageException {
        if (paths.isEmpty()) {
            return;
        }
        io.cadre.internal.route.RouteTable routes = new io.cadre.internal.route.RouteTable(app.routes());
        for (String path : paths) {
            String bare = java.net.URI.create(path).getPath(); // decoded, as routes are matched
            if (bare.equals("/health/ready")) {
                throw new UsageException("invalid --warm-up: '" + path + "' answers 503 until the worker is ready, so it warms up nothing");
            }
            if (!bare.equals("/health/live") && !(routes.lookup("GET", bare) instanceof io.cadre.internal.route.RouteTable.Found)) {
                throw new UsageException("invalid --warm-up: '" + path + "' matches no GET route of the app");
            }
        }
    }

    private static CadreConfig.Supervision withRestartDelay(CadreConfig.Supervision s, long initial) throws UsageException {
        if (initial > s.backoffMaxMillis()) {
            throw new UsageException("invalid --restart-delay " + initial + ": more than the restart delay cap of " + s.backoffMaxMillis() + " ms");
        }
        return s.withBackoff(initial, s.backoffMaxMillis());
    }

    private static CadreConfig.Supervision withBreaker(CadreConfig.Supervision s, String value) throws UsageException {
        String[] parts = value.split("/", -1);
        if (parts.length != 2) {
            throw new UsageException("invalid --breaker '" + value + "': expected CRASHES/WINDOW_MS, e.g. 5/60000");
        }
        int crashes = (int) number("breaker", parts[0], 1, 1_000_000);
        long window = number("breaker", parts[1], 1, 24L * 3600 * 1000);
        return s.withBreaker(crashes, window);
    }

    private static List<String> paths(String option, String value) throws UsageException {
        List<String> paths = new ArrayList<>();
        for (String p : value.split(",")) {
            String path = p.trim();
            if (!path.startsWith("/")) {
                throw new UsageException("invalid --" + option + ": '" + path + "' does not start with '/'");
            }
            paths.add(path);
        }
        return paths;
    }

    /** The environment variable an app option is also read from: {@code --redis-config} is {@code CADRE_REDIS_CONFIG}. */
    public static String envName(String option) {
        return "CADRE_" + option.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** The usage text printed for {@code --help}. */
    public static String usage(App app) {
        StringBuilder sb = new StringBuilder();
        sb.append("Options (each also read from the environment variable in brackets):\n");
        sb.append("  --host ADDR             address to bind [CADRE_HOST] (default 0.0.0.0)\n");
        sb.append("  --port P                TCP port; 0 picks a free one [CADRE_PORT] (default 8080)\n");
        sb.append("  --workers N             worker JVMs [CADRE_WORKERS] (default: available processors)\n");
        sb.append("  --drain-timeout MS      time to finish in-flight requests on shutdown [CADRE_DRAIN_TIMEOUT] (default 30000)\n");
        sb.append("  --worker-jvm-opts OPTS  JVM options for workers, space-separated [CADRE_WORKER_JVM_OPTS]\n");
        sb.append("  --restart-delay MS      first delay before restarting a crashed worker; doubles per crash [CADRE_RESTART_DELAY] (default 100)\n");
        sb.append("  --breaker N/MS          stop restarting after N crashes within MS [CADRE_BREAKER] (default 5/60000)\n");
        sb.append("  --compute-threads N     threads of each worker's compute pool [CADRE_COMPUTE_THREADS] (default: max(1, processors / workers))\n");
        sb.append("  --compute-nice N        Linux nice value of compute threads, 0 (as IO) to 19 (lowest) [CADRE_COMPUTE_NICE] (default 5)\n");
        sb.append("  --compute-idle B        run compute threads under SCHED_IDLE: true or false [CADRE_COMPUTE_IDLE] (default true)\n");
        sb.append("  --compute-kind K        platform (a bounded pool) or virtual (virtual threads behind a semaphore) [CADRE_COMPUTE_KIND]\n");
        sb.append("  --hang-timeout MS       a worker silent this long gets a thread dump and is replaced [CADRE_HANG_TIMEOUT] (default 30000)\n");
        sb.append("  --rollout-batch N       workers replaced at once by a rolling restart (SIGHUP, ctl reload) [CADRE_ROLLOUT_BATCH] (default 1)\n");
        sb.append("  --max-requests N        replace a worker gracefully after about N requests; 0 is off [CADRE_MAX_REQUESTS] (default 0)\n");
        sb.append("  --max-memory MB         replace a worker gracefully when its resident memory passes MB; 0 is off [CADRE_MAX_MEMORY] (default 0)\n");
        sb.append("  --boot-nice N           a replacement worker boots this much nicer (Linux), normal once ready; 0 is off [CADRE_BOOT_NICE] (default 10)\n");
        sb.append("  --warm-up P,...         paths a replacement worker requests from itself before it joins the port (GET routes without side effects) [CADRE_WARM_UP] (default: none)\n");
        sb.append("  --warm-up-requests N    warm-up requests per replacement, spread over the paths [CADRE_WARM_UP_REQUESTS] (default 10000)\n");
        sb.append("  --admin-port P          serve /metrics (Prometheus) on 127.0.0.1:P; 0 picks a port, -1 is off [CADRE_ADMIN_PORT] (default -1)\n");
        sb.append("  --aot-train FILE        run one worker on training requests and write its AOT cache to FILE (JDK 25+) [CADRE_AOT_TRAIN]\n");
        sb.append("  --aot-train-paths P,..  paths the training run requests [CADRE_AOT_TRAIN_PATHS] (default: health and every GET route without path parameters)\n");
        for (Map.Entry<String, String> e : app.options().entrySet()) {
            sb.append(String.format("  --%-22s %s [%s]%n", e.getKey() + " VALUE", e.getValue(), envName(e.getKey())));
        }
        return sb.toString();
    }

    private static void apply(CadreConfig.Builder b, String name, String value) throws UsageException {
        switch (name) {
            case "host" -> {
                if (value.isEmpty()) {
                    throw new UsageException("invalid --host: empty");
                }
                b.host(value);
            }
            case "port" -> b.port((int) number(name, value, 0, 65535));
            case "workers" -> b.workers((int) number(name, value, 1, CadreConfig.MAX_WORKERS));
            case "drain-timeout" -> b.drainTimeoutMillis(number(name, value, 0, 24L * 3600 * 1000));
            case "worker-jvm-opts" -> b.workerJvmOptions(value.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(value.split("\\s+"))));
            default -> throw new IllegalStateException(name);
        }
    }

    private static long number(String name, String value, long min, long max) throws UsageException {
        return number(name, value, min, max, "");
    }

    /** {@code unit}: what the number counts, named in the message ("megabytes"), or empty. */
    private static long number(String name, String value, long min, long max, String unit) throws UsageException {
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new UsageException("invalid --" + name + " '" + value + "': expected a whole number from " + min + " to " + max
                + (unit.isEmpty() ? "" : " (" + unit + ")"));
    }
}
