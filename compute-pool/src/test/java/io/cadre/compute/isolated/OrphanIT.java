package io.cadre.compute.isolated;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Children never outlive the process that owns their executor, even when it is SIGKILLed. */
class OrphanIT {
    /**
     * Whether {@code p} still runs: a zombie has ended (only its exit status waits to be collected,
     * by init once its parent is gone, which some container inits do slowly), so it does not count.
     */
    static boolean running(ProcessHandle p) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void childrenEndWithinTwoSecondsOfTheirOwnerBeingKilled() throws Exception {
        Process host = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), IsolatedHost.class.getName()).redirectErrorStream(true).start();
        List<ProcessHandle> children = List.of();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("children ")) {
                seen.append(line).append('\n');
            }
            assertThat(line).as("the host's output:\n" + seen).isNotNull();
            children = Arrays.stream(line.substring("children ".length()).split(",")).map(Long::parseLong)
                    .map(ProcessHandle::of).flatMap(java.util.Optional::stream).toList();
            assertThat(children).hasSize(2).allMatch(ProcessHandle::isAlive);

            host.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            long killed = System.nanoTime();
            assertThat(host.waitFor(10, TimeUnit.SECONDS)).isTrue();
            List<ProcessHandle> watched = children;
            long deadline = killed + Duration.ofSeconds(2).toNanos();
            while (watched.stream().anyMatch(OrphanIT::running) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            System.out.printf("OrphanIT: children gone %d ms after their owner was killed%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            assertThat(watched).as("children running 2 s after their owner was SIGKILLed").noneMatch(OrphanIT::running);
        } finally {
            host.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
