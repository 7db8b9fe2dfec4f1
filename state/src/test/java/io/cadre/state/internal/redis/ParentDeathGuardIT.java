package io.cadre.state.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.it.ClusterProcess;
import io.cadre.state.testing.Await;
import io.cadre.state.testing.TestRedis;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The embedded Redis must not outlive a SIGKILLed primary by more than 5 seconds. */
class ParentDeathGuardIT {
    private static final Pattern STARTED = Pattern.compile("redis pid=(\\d+) port=(\\d+) guard=(\\d+)");

    @Test
    void redisEndsWithinFiveSecondsOfItsPrimaryBeingKilled() throws Exception {
        TestRedis.binary(); // extracted once here, not raced by the child
        List<ProcessHandle> tree = new ArrayList<>();
        // closed after the primary, and its failure added to the test's own: a failed test must not leave a reparented redis-server
        try (AutoCloseable reaper = () -> reap(tree);
                ClusterProcess primary = ClusterProcess.start(GuardedRedisMain.class, List.of(), Map.of())) {
            String line = primary.awaitStdout(STARTED.asPredicate(), Duration.ofSeconds(30));
            Matcher m = STARTED.matcher(line);
            assertThat(m.find()).isTrue();
            long redisPid = Long.parseLong(m.group(1));
            int port = Integer.parseInt(m.group(2));
            long guardPid = Long.parseLong(m.group(3));
            // taken while the primary lives: once it is killed, redis-server and the guard are reparented
            ProcessHandle.of(redisPid).ifPresent(tree::add);
            ProcessHandle.of(guardPid).ifPresent(tree::add);
            primary.process().toHandle().descendants().forEach(tree::add);
            assertThat(Posix.running(redisPid)).isTrue();
            assertThat(Posix.running(guardPid)).isTrue();

            primary.signal("KILL");
            long killed = System.nanoTime();
            // the guard polls once a second, then TERM and up to 2 s before KILL: the 5 s is the spec, the figure is printed
            Await.until(Duration.ofSeconds(5), () -> !Posix.running(redisPid), () -> "redis-server " + redisPid + " outlived its primary\n"
                    + primary.output());
            Duration gone = Duration.ofNanos(System.nanoTime() - killed);
            System.out.printf("ParentDeathGuardIT: redis-server gone %d ms after its primary was killed%n", gone.toMillis());
            assertThat(portFree(port)).as("port " + port + " is free").isTrue();
            Await.until(Duration.ofSeconds(3), () -> !Posix.running(guardPid), "the watchdog " + guardPid + " ended");
        }
    }

    /** Ends whatever of {@code tree} still runs, and waits for it, bounded. */
    private static void reap(List<ProcessHandle> tree) {
        // isAlive, not the pid alone: a handle checks the start time, so a reused pid is never killed
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        // running, not onExit: a reparented child stays a zombie until init collects it, which some container inits do slowly
        Await.until(Duration.ofSeconds(10), () -> tree.stream().noneMatch(p -> p.isAlive() && Posix.running(p.pid())),
                () -> "processes left after the test: " + tree.stream().filter(p -> p.isAlive() && Posix.running(p.pid()))
                        .map(ProcessHandle::pid).toList());
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
