package io.cadre.it;

import io.cadre.internal.util.Proc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Cadre primary started as a real process for a test, with its output captured line by line.
 * Every process it starts, and every worker those fork, carries a unique {@code CADRE_TEST_RUN}
 * marker in its environment; {@link #close()} kills every live process with that marker, so nothing
 * outlives a test, even a worker orphaned by a killed primary, and even when the test failed. A
 * JVM shutdown hook does the same for runs that are cut short.
 */
public final class ClusterProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("cadre listening on http://(\\S+):(\\d+) \\((\\d+) workers\\)");
    private static final List<ClusterProcess> LIVE = new CopyOnWriteArrayList<>();
    private static final Duration PUMP_DRAIN = Duration.ofSeconds(10);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(c -> {
            killTree(c.process, c.marker);
            c.seen.forEach(ProcessHandle::destroyForcibly);
        })));
    }

    private final Process process;
    private final String marker;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    /** Processes seen under the primary before a signal: a killed primary's children are reparented and no longer found. */
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private final Thread outPump;
    private final Thread errPump;
    private volatile int port = -1;

    private ClusterProcess(Process process, String marker) {
        this.process = process;
        this.marker = marker;
        this.outPump = pump(process.getInputStream(), stdout, "out");
        this.errPump = pump(process.getErrorStream(), stderr, "err");
    }

    /** Starts {@code mainClass} from the test classpath with {@code args} and extra {@code env}. */
    public static ClusterProcess start(Class<?> mainClass, List<String> args, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        return launch(cmd, env);
    }

    /** Starts {@code java -jar jar} with {@code args} and extra {@code env}. */
    public static ClusterProcess startJar(Path jar, List<String> args, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
        cmd.addAll(args);
        return launch(cmd, env);
    }

    private static ClusterProcess launch(List<String> cmd, Map<String, String> env) throws IOException {
        String marker = UUID.randomUUID().toString();
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("CADRE_") && !k.equals("CADRE_RUNTIME_DIR"));
        pb.environment().putAll(env);
        pb.environment().put("CADRE_TEST_RUN", marker);
        ClusterProcess cluster = new ClusterProcess(pb.start(), marker);
        LIVE.add(cluster);
        return cluster;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Waits for the listening line and returns the port it names. */
    public int awaitListening(Duration timeout) {
        String line = awaitStdout(LISTENING.asPredicate(), timeout);
        Matcher m = LISTENING.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException(line);
        }
        port = Integer.parseInt(m.group(2));
        return port;
    }

    public int port() {
        if (port < 0) {
            throw new IllegalStateException("not listening yet");
        }
        return port;
    }

    public String awaitStdout(Predicate<String> match, Duration timeout) {
        return await(stdout, match, timeout, "stdout");
    }

    public String awaitStderr(Predicate<String> match, Duration timeout) {
        return await(stderr, match, timeout, "stderr");
    }

    public List<String> stdout() {
        return List.copyOf(stdout);
    }

    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** Both streams, for failure messages. */
    public String output() {
        return "--- stdout ---\n" + String.join("\n", stdout) + "\n--- stderr ---\n" + String.join("\n", stderr);
    }

    /**
     * Sends signal {@code name} (e.g. {@code TERM}, {@code KILL}) to the primary. The primary's
     * process tree is noted first, so {@link #close()} still finds (and ends) a child that a killed
     * primary left behind, even one without the marker (redis-server rewrites its environment).
     */
    public void signal(String name) {
        process.toHandle().descendants().forEach(seen::add);
        Signal.send(process.pid(), name);
    }

    /**
     * Waits for the primary to exit and for both output streams to reach their end, so every line
     * the primary wrote is in {@link #stdout()} and {@link #stderr()} on return; returns the exit code.
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the primary did not exit within " + timeout + "\n" + output());
        }
        // a bound, not a target: the pipes end when the primary does, unless a child still holds one
        for (Thread pump : List.of(outPump, errPump)) {
            if (!pump.join(PUMP_DRAIN)) {
                throw new AssertionError("the primary exited but its " + pump.getName() + " stream did not end within "
                        + PUMP_DRAIN + " (a child still holds it?)\n" + output());
            }
        }
        return process.exitValue();
    }

    /** The pids of live processes started for this cluster (primary and workers). */
    public List<Long> liveProcesses() {
        return marked(marker);
    }

    /** Waits until no process of this cluster is alive; returns false on timeout. */
    public boolean awaitNoProcesses(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (marked(marker).isEmpty()) {
                return true;
            }
            Thread.sleep(20);
        }
        return marked(marker).isEmpty();
    }

    /**
     * Kills the primary, its tree, every process with the marker and every process noted by
     * {@link #signal(String)}, and waits (bounded) for them; fails, listing them, if any is left.
     */
    @Override
    public void close() throws InterruptedException {
        seen.addAll(killTree(process, marker));
        List<ProcessHandle> noted = List.copyOf(seen);
        noted.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        boolean primaryGone = process.waitFor(10, TimeUnit.SECONDS);
        boolean markedGone = awaitNoProcesses(Duration.ofSeconds(10));
        if (!markedGone) {
            killMarked(marker); // one more pass: a worker forked by the primary while it was being killed
            markedGone = awaitNoProcesses(Duration.ofSeconds(5));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (noted.stream().anyMatch(ClusterProcess::running) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> left = new ArrayList<>();
        if (!primaryGone) {
            left.add("primary " + process.pid());
        }
        marked(marker).forEach(pid -> left.add(describe(pid)));
        noted.stream().filter(ClusterProcess::running).forEach(p -> left.add(describe(p.pid())));
        LIVE.remove(this);
        if (!left.isEmpty()) {
            throw new AssertionError("processes of this cluster outlived close(): " + left);
        }
    }

    /**
     * Whether {@code p} still runs. A zombie has ended (its exit status waits for init, once its
     * parent is gone, which some container inits collect slowly), so it does not count; a handle
     * whose pid was reused does not either (ProcessHandle checks the start time).
     */
    static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String describe(long pid) {
        return pid + " " + ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("?");
    }

    private static List<Long> marked(String marker) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid)
                .filter(pid -> pid != self)
                .filter(pid -> Proc.environ(pid, "CADRE_TEST_RUN").map(marker::equals).orElse(false))
                .toList();
    }

    /**
     * Kills the primary's whole process tree, taken while it still has its parents (a helper such
     * as redis-server rewrites its environment, so its marker cannot be read), then every process
     * left with the marker (a worker whose primary already died).
     */
    private static List<ProcessHandle> killTree(Process primary, String marker) {
        List<ProcessHandle> tree = primary.toHandle().descendants().toList();
        primary.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        killMarked(marker);
        return tree;
    }

    private static void killMarked(String marker) {
        for (long pid : marked(marker)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private String await(List<String> lines, Predicate<String> match, Duration timeout, String stream) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            List<String> snapshot = List.copyOf(lines);
            for (int i = seen; i < snapshot.size(); i++) {
                if (match.test(snapshot.get(i))) {
                    return snapshot.get(i);
                }
            }
            seen = snapshot.size();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching line on " + stream + " within " + timeout + "\n" + output());
            }
            synchronized (lines) {
                try {
                    lines.wait(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** The first line of {@code stream} that matches, if any. */
    public Optional<String> find(List<String> stream, Predicate<String> match) {
        return stream.stream().filter(match).findFirst();
    }

    private static Thread pump(InputStream in, List<String> into, String name) {
        return Thread.ofVirtual().name("test-pump-" + name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                    synchronized (into) {
                        into.notifyAll();
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        });
    }
}
