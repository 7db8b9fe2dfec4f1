package io.cadre.internal.primary;

import io.cadre.CadreConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * The command line of a worker: the primary's own {@code java}, classpath and main class, the
 * worker JVM options, and the primary's program arguments unchanged.
 *
 * <p>Default worker JVM options, chosen to keep an idle worker small (see docs/operations.md):
 * <ul>
 *   <li>{@code -XX:+UseSerialGC}: a worker per core needs no parallel collector; Serial has no GC
 *       threads and the smallest bookkeeping.</li>
 *   <li>{@code -Xms12m -XX:NewSize=8m}: start with a small heap and grow on demand, instead of
 *       committing 1/64 of the machine's memory per worker; but with a young generation of 8 MiB
 *       from the start. Serial sizes the young generation from the initial heap and resizes it
 *       only at a full collection, so {@code -Xms8m} alone left 2 MiB of eden and 256 KiB
 *       survivor spaces: under load, objects of requests still in flight were promoted at every
 *       young collection (~50 a second), and the old generation grew by ~3 MiB a second until
 *       the heap's maximum, since Serial grows the old generation before it collects it.</li>
 *   <li>{@code -XX:MaxRAMPercentage=75/N}: the N workers together may not grow past 75% of the
 *       memory the JVM sees (container limits included); with {@code --max-memory M},
 *       {@code -XX:MaxHeapSize=3/4 M} instead (see {@link #defaultOptions}).</li>
 *   <li>{@code -XX:+ExitOnOutOfMemoryError}: a worker that ran out of memory exits and is replaced,
 *       instead of limping on.</li>
 *   <li>{@code --sun-misc-unsafe-memory-access=allow} on JDK 23+: JCTools (the compute pool's queues)
 *       and Netty (under Redisson) still call {@code sun.misc.Unsafe}'s memory-access methods,
 *       which JDK 24+ warns about on every worker start (JEP 471/498) and later releases deny by
 *       default; the app cannot act on the warning, and the worker must keep working. A user's
 *       own {@code --sun-misc-unsafe-memory-access=...} replaces it.</li>
 *   <li>{@code -Djdk.virtualThreadScheduler.parallelism=K} on JDK 24+, K = max(1, processors / N):
 *       as many carrier threads for the virtual threads of ordinary routes as the worker has cores,
 *       as for its IO threads. The JDK's default (one carrier per processor in every worker) puts N
 *       times as many carriers as cores on the machine, and their parking and waking cost more
 *       than the extra carriers give: on 2 workers on 2 cores, K=1 served a plain {@code WORKER}
 *       route 15-30% faster at 15-30% less CPU per request, and {@code /session} 12-15% faster
 *       (docs/benchmarks.md). Not before JDK 24: there a virtual thread blocked inside
 *       {@code synchronized} pins its carrier (JEP 491 ended that), and with one carrier it would
 *       hold up every other request of the worker.</li>
 *   <li>{@code -XX:AOTCache=FILE} on JDK 25+ when an AOT cache built for this jar exists (see
 *       {@link #aotCache}), which cuts worker start time.</li>
 * </ul>
 * The primary's {@code -D} system properties are passed on; the user's worker options come last.
 * A default that a user option replaces is left out rather than left to conflict: a user's
 * {@code -XX:+UseG1GC} (or any collector) replaces the Serial choice, which the JVM would refuse
 * as "multiple garbage collectors"; any heap size option ({@code -Xms}, {@code -Xmx},
 * {@code -Xmn} and their {@code -XX:} names) replaces the initial and young sizes, and
 * {@code -Xmx} or {@code -XX:MaxHeapSize} also the RAM share.
 */
final class WorkerCommand {
    /** What the JVM prints when it cannot use an AOT cache (its error lines, or the launcher's last line). */
    private static final List<String> AOT_REFUSALS = List.of("processing the AOT cache", "Unable to use AOT cache");

    private final List<String> command;
    private final List<String> withoutAotCache;
    private final String aotCache;
    private final String classpath;
    /** Each classpath file's size, modification time and file key when the cache was checked. */
    private final List<String> stamps;

    WorkerCommand(List<String> command, List<String> aotOptions, String aotCache, String classpath) {
        this.command = List.copyOf(command);
        List<String> rest = new ArrayList<>(command);
        rest.removeAll(aotOptions);
        this.withoutAotCache = List.copyOf(rest);
        this.aotCache = aotCache;
        this.classpath = classpath;
        this.stamps = stamps(classpath);
    }

    /**
     * Whether the classpath's files are still the ones the AOT cache was checked against: a jar
     * replaced on disk (the deploy path: replace it, then reload) makes the cache stale, and a
     * stale cache could run the old classes. Stat calls only, cheap enough for every fork.
     */
    boolean classpathUnchanged() {
        return stamps.equals(stamps(classpath));
    }

    private static List<String> stamps(String classpath) {
        List<String> out = new ArrayList<>();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            try {
                java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(Path.of(entry),
                        java.nio.file.attribute.BasicFileAttributes.class);
                out.add(entry + " " + a.size() + " " + a.lastModifiedTime().toMillis() + " " + a.fileKey());
            } catch (IOException | RuntimeException e) {
                out.add(entry + " missing");
            }
        }
        return List.copyOf(out);
    }

    List<String> command() {
        return command;
    }

    /** The AOT cache the workers load, or null. */
    String aotCache() {
        return aotCache;
    }

    /** The same command without the AOT cache, for when the JVM refused it. */
    List<String> withoutAotCache() {
        return withoutAotCache;
    }

    /**
     * Whether a line a worker printed says its JVM could not use the AOT cache: a cache the JDK
     * cannot map under the worker's options (another collector, no compressed oops, a heap too
     * small for its archived objects) or a damaged file. Depending on the reason the JVM goes on
     * without it or refuses to start.
     */
    static boolean refusesAotCache(String line) {
        return AOT_REFUSALS.stream().anyMatch(line::contains);
    }

    static WorkerCommand of(CadreConfig config, String[] args, Map<String, String> env, boolean useAotCache) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        List<String> aotOptions = List.of();
        String cache = null;
        if (config.defaultWorkerJvmOptions()) {
            // options the JVM also takes from the environment the workers inherit count as the user's:
            // a -XX:+UseG1GC there next to the default -XX:+UseSerialGC would stop every worker
            List<String> userOptions = new ArrayList<>();
            for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
                String value = env.get(variable);
                if (value != null && !value.isBlank()) {
                    userOptions.addAll(List.of(value.trim().split("\\s+")));
                }
            }
            userOptions.addAll(config.workerJvmOptions());
            cmd.addAll(defaultOptions(config.workers(), config.operations().maxMemoryBytes(), userOptions));
            if (useAotCache) {
                cache = aotCache(classpath, env).orElse(null);
                if (cache != null) {
                    // errors only: the reason the JVM refuses a cache, never its routine warnings
                    aotOptions = List.of("-XX:AOTCache=" + cache, "-Xlog:aot=error,cds=error");
                    cmd.addAll(aotOptions);
                }
            }
        }
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-D") && !arg.startsWith("-Dsun.") && !arg.startsWith("-Djava.")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(config.workerJvmOptions());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass(classpath));
        cmd.addAll(List.of(args));
        return new WorkerCommand(cmd, aotOptions, cache, classpath);
    }

    /**
     * @param maxMemoryBytes {@code --max-memory} (0: none). When set, and the user sets no maximum
     *        heap, the heap's ceiling is 3/4 of it instead of a share of the machine: Serial collects
     *        the old generation only when it cannot grow it, so without that ceiling a worker that
     *        merely holds garbage would pass the limit and be recycled as if it leaked.
     */
    static List<String> defaultOptions(int workers, long maxMemoryBytes, List<String> userOptions) {
        return defaultOptions(workers, maxMemoryBytes, userOptions, Runtime.version().feature(), Runtime.getRuntime().availableProcessors());
    }

    /** The same for a JVM of release {@code jdkFeature} on a machine of {@code processors}. */
    static List<String> defaultOptions(int workers, long maxMemoryBytes, List<String> userOptions, int jdkFeature, int processors) {
        boolean gc = userOptions.stream().anyMatch(o -> o.matches("-XX:\\+Use\\w+GC"));
        boolean heap = userOptions.stream().anyMatch(o -> o.startsWith("-Xms") || o.startsWith("-Xmx") || o.startsWith("-Xmn")
                || o.startsWith("-XX:InitialHeapSize=") || o.startsWith("-XX:MaxHeapSize=") || o.startsWith("-XX:NewSize=")
                || o.startsWith("-XX:MaxNewSize="));
        boolean max = userOptions.stream().anyMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxHeapSize="));
        List<String> options = new ArrayList<>();
        if (!gc) {
            options.add("-XX:+UseSerialGC");
        }
        if (!heap) {
            options.add("-Xms12m");
            options.add("-XX:NewSize=8m");
        }
        if (!max && maxMemoryBytes > 0) {
            options.add("-XX:MaxHeapSize=" + Math.max(16L << 20, maxMemoryBytes / 4 * 3));
        } else if (!max) {
            options.add(String.format(java.util.Locale.ROOT, "-XX:MaxRAMPercentage=%.1f", Math.max(1.0, 75.0 / workers)));
        }
        options.add("-XX:+ExitOnOutOfMemoryError");
        if (jdkFeature >= 23 && userOptions.stream().noneMatch(o -> o.startsWith("--sun-misc-unsafe-memory-access"))) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (jdkFeature >= 24 && userOptions.stream().noneMatch(o -> o.startsWith("-Djdk.virtualThreadScheduler.parallelism="))) {
            options.add("-Djdk.virtualThreadScheduler.parallelism=" + Math.max(1, processors / Math.max(1, workers)));
        }
        return List.copyOf(options);
    }

    /**
     * The AOT cache for this classpath, on JDK 25+: {@code $CADRE_AOT_CACHE} when set, else
     * {@code X.aot} beside a single-jar classpath {@code X.jar}. A cache is used only when its
     * {@link AotFingerprint} matches this classpath and JVM; a stale one is skipped with a warning.
     */
    static java.util.Optional<String> aotCache(String classpath, Map<String, String> env) throws IOException {
        if (Runtime.version().feature() < 25) {
            return java.util.Optional.empty();
        }
        Path cache;
        String explicit = env.get("CADRE_AOT_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            cache = Path.of(explicit);
        } else if (classpath.endsWith(".jar") && !classpath.contains(java.io.File.pathSeparator)) {
            cache = Path.of(classpath.substring(0, classpath.length() - 4) + ".aot");
        } else {
            return java.util.Optional.empty();
        }
        if (!Files.isRegularFile(cache)) {
            return java.util.Optional.empty();
        }
        if (!AotFingerprint.of(classpath).matches(cache)) {
            org.slf4j.LoggerFactory.getLogger(WorkerCommand.class).warn(
                    "AOT cache {} was not built for this jar and JDK (or has no {} file); workers start without it."
                            + " Rebuild it with --aot-train {}", cache, AotFingerprint.fileFor(cache).getFileName(), cache);
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(cache.toString());
    }

    /** The main class the primary was started with, from {@code sun.java.command} or the jar manifest. */
    static String mainClass(String classpath) throws IOException {
        return mainClass(classpath, System.getProperty("sun.java.command", ""));
    }

    /** The same from {@code command}, the JVM's {@code sun.java.command}: the jar (or main class) and the arguments. */
    static String mainClass(String classpath, String javaCommand) throws IOException {
        String command = javaCommand.trim();
        // java -jar PATH: the class path is that jar, whose path may hold spaces
        boolean jarCommand = classpath != null && classpath.endsWith(".jar") && !classpath.contains(java.io.File.pathSeparator)
                && command.startsWith(classpath) && (command.length() == classpath.length()
                || Character.isWhitespace(command.charAt(classpath.length())));
        String first = jarCommand ? classpath : command.isEmpty() ? "" : command.split("\\s+")[0];
        if (first.endsWith(".jar")) {
            try (JarFile jar = new JarFile(first)) {
                String main = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes().getValue("Main-Class");
                if (main != null) {
                    return main.trim();
                }
            }
            throw new IOException("jar " + first + " names no Main-Class; start Cadre with -cp and a main class");
        }
        if (first.isEmpty() || first.startsWith("-")) {
            throw new IOException("cannot tell the main class of this JVM (sun.java.command='" + command + "')");
        }
        return first;
    }
}
