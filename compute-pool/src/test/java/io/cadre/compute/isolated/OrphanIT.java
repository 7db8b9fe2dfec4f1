package io.cadre.compute.isolated;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Children never outlive the process that owns their executor, even when it is SIGKILLed. */
class OrphanIT {
    /**
     * Whether {@code p} still runs: a zombie has ended (only its exit status waits to be collected,
     * by init once its parent is gone, which some container inits do slowly), so it does not count.
     */
    static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false; // also a pid reused since: the handle checks the start time
        }
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    @Timeout(120)
    void childrenEndWithinTwoSecondsOfTheirOwnerBeingKilled() throws Exception {
        Process host = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), IsolatedHost.class.getName()).redirectErrorStream(true).start();
        // every line of the host, read by a thread so that waiting for one is bounded
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread pump = Thread.ofVirtual().name("orphan-it-pump").start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the host is gone
            }
        });
        List<ProcessHandle> tree = new CopyOnWriteArrayList<>();
        // closed last, its failure added to the test's own: nothing the host started may outlive the test
        try (AutoCloseable cleanup = () -> reap(host, tree, pump)) {
            // a bound, not a target: the host starts a JVM and two child JVMs on a loaded 2-core runner
            long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            Optional<String> line = Optional.empty();
            while (line.isEmpty() && pump.isAlive() && System.nanoTime() < until) {
                line = lines.stream().filter(l -> l.startsWith("children ")).findFirst();
                note(host, tree);
                if (line.isEmpty()) {
                    Thread.sleep(10);
                }
            }
            line = lines.stream().filter(l -> l.startsWith("children ")).findFirst();
            assertThat(line).as("the host's children line; its output:\n" + String.join("\n", lines)).isPresent();
            List<ProcessHandle> children = Arrays.stream(line.get().substring("children ".length()).split(",")).map(Long::parseLong)
                    .map(ProcessHandle::of).flatMap(Optional::stream).toList();
            assertThat(children).hasSize(2).allMatch(ProcessHandle::isAlive);
            note(host, tree);

            host.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            long killed = System.nanoTime();
            assertThat(host.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long deadline = killed + Duration.ofSeconds(2).toNanos();
            while (children.stream().anyMatch(OrphanIT::running) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            System.out.printf("OrphanIT: children gone %d ms after their owner was killed%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            assertThat(children).as("children running 2 s after their owner was SIGKILLed").noneMatch(OrphanIT::running);
        }
    }

    /** Notes the host's descendants, while it lives: once it is killed, its children are reparented. */
    private static void note(Process host, List<ProcessHandle> tree) {
        host.toHandle().descendants().filter(p -> !tree.contains(p)).forEach(tree::add);
    }

    /** Kills the host and everything noted, and waits for them, bounded; fails listing what is left. */
    private static void reap(Process host, List<ProcessHandle> tree, Thread pump) throws InterruptedException {
        note(host, tree);
        host.destroyForcibly();
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        boolean hostGone = host.waitFor(10, TimeUnit.SECONDS);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (tree.stream().anyMatch(OrphanIT::running) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        pump.join(Duration.ofSeconds(10));
        List<Long> left = tree.stream().filter(OrphanIT::running).map(ProcessHandle::pid).toList();
        if (!hostGone || !left.isEmpty()) {
            throw new AssertionError("left running after the test: " + (hostGone ? "" : "the host " + host.pid() + ", ") + left);
        }
    }
}
