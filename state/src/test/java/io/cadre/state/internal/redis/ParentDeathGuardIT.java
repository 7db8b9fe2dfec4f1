package io.cadre.state.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.it.ClusterProcess;
import io.cadre.state.testing.Await;
import io.cadre.state.testing.TestRedis;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
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
        try (ClusterProcess primary = ClusterProcess.start(GuardedRedisMain.class, List.of(), Map.of())) {
            String line = primary.awaitStdout(STARTED.asPredicate(), Duration.ofSeconds(30));
            Matcher m = STARTED.matcher(line);
            assertThat(m.find()).isTrue();
            long redisPid = Long.parseLong(m.group(1));
            int port = Integer.parseInt(m.group(2));
            long guardPid = Long.parseLong(m.group(3));
            assertThat(Posix.running(redisPid)).isTrue();
            assertThat(Posix.running(guardPid)).isTrue();

            primary.signal("KILL");
            long killed = System.nanoTime();
            Await.until(Duration.ofSeconds(5), () -> !Posix.running(redisPid), () -> "redis-server " + redisPid + " outlived its primary\n"
                    + primary.output());
            Duration gone = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(gone).isLessThan(Duration.ofSeconds(5));
            assertThat(portFree(port)).as("port " + port + " is free").isTrue();
            Await.until(Duration.ofSeconds(3), () -> !Posix.running(guardPid), "the watchdog " + guardPid + " ended");
        }
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
