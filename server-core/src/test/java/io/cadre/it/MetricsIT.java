package io.cadre.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The primary's /metrics: requests summed over workers equal the requests sent, also across a worker's replacement. */
@Timeout(180)
class MetricsIT {
    static final Duration BOOT = Duration.ofSeconds(60);
    /** Workers report every second; a few seconds is plenty even on a loaded machine. */
    static final Duration REPORT = Duration.ofSeconds(20);
    static final Pattern ADMIN = Pattern.compile("; metrics: http://127\\.0\\.0\\.1:(\\d+)/metrics");
    static final Pattern REQUESTS = Pattern.compile("(?m)^cadre_http_requests_total\\{([^}]*)\\} (\\S+)$");

    @TempDir
    Path runtimeDir;

    @Test
    void requestCountsSummedOverWorkersEqualTheRequestsSentAcrossAWorkerReplacement() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(TestApp.class, List.of("--port", "0", "--workers", "2", "--admin-port", "0"),
                Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString()))) {
            int port = cluster.awaitListening(BOOT);
            Matcher admin = ADMIN.matcher(cluster.awaitStdout(l -> l.startsWith("cadre listening on"), BOOT));
            assertThat(admin.find()).as(cluster.output()).isTrue();
            int adminPort = Integer.parseInt(admin.group(1));
            assertLoopbackOnly(adminPort);

            int n = 40;
            for (int i = 0; i < n; i++) {
                assertThat(RawHttp.get(port, "/sleep?ms=0").status()).isEqualTo(200);
            }
            Map<String, Double> before = awaitSleepRequests(adminPort, n, cluster);
            assertThat(before.getOrDefault("1", 0.0)).as("worker 1 served some of %s: %s", n, before).isPositive();

            long victim = pidOf(cluster, 1);
            Signal.send(victim, "KILL");
            cluster.awaitStderr(l -> l.matches(".*worker 1 \\(pid \\d+, generation 2\\) is ready.*"), BOOT);

            int m = 30;
            for (int i = 0; i < m; i++) {
                assertThat(RawHttp.get(port, "/sleep?ms=0").status()).isEqualTo(200);
            }
            Map<String, Double> after = awaitSleepRequests(adminPort, n + m, cluster);
            assertThat(after.get("1")).as("worker 1's count never goes back: %s then %s", before, after)
                    .isGreaterThanOrEqualTo(before.get("1"));

            // a worker that drains (SIGTERM) sends a last snapshot: nothing it counted is lost, even right away
            int k = 20;
            for (int i = 0; i < k; i++) {
                assertThat(RawHttp.get(port, "/sleep?ms=0").status()).isEqualTo(200);
            }
            Signal.send(pidOf(cluster, 2), "TERM");
            cluster.awaitStderr(l -> l.matches(".*worker 2 \\(pid \\d+, generation 2\\) is ready.*"), BOOT);
            Map<String, Double> drained = awaitSleepRequests(adminPort, n + m + k, cluster);
            System.out.printf("MetricsIT: GET /sleep per worker after %d: %s, after %d: %s, after %d: %s%n", n, before, n + m, after,
                    n + m + k, drained);

            // gauges are the current processes': both slots now run generation 2, once each has reported
            Pattern current = Pattern.compile("(?m)^cadre_worker_generation\\{worker=\"[12]\"\\} 2");
            String text = awaitScrape(adminPort, t -> current.matcher(t).results().count() == 2, cluster);
            assertThat(RawHttp.get(adminPort, "/metrics").header("Content-Type")).startsWith("text/plain; version=0.0.4");
            assertThat(text).contains("# TYPE cadre_http_request_duration_seconds histogram");
            assertThat(text).containsPattern("cadre_http_request_duration_seconds_bucket\\{[^}]*route=\"/sleep\"[^}]*le=\"\\+Inf\"\\} ");
            assertThat(text).containsPattern("cadre_http_request_duration_seconds_count\\{[^}]*worker=\"1\"\\} ");
            for (String worker : List.of("1", "2")) {
                assertThat(text).containsPattern("(?m)^cadre_worker_heap_used_bytes\\{worker=\"" + worker + "\"\\} [1-9]");
                assertThat(text).containsPattern("(?m)^cadre_worker_rss_bytes\\{worker=\"" + worker + "\"\\} [1-9]");
            }
            assertThat(RawHttp.get(adminPort, "/").status()).isEqualTo(404);
            assertThat(RawHttp.get(adminPort, "/metrics/x").status()).isEqualTo(404);
        }
    }

    /** The admin socket listens on 127.0.0.1 only: /proc/net/tcp says so, and another local address is refused. */
    private static void assertLoopbackOnly(int adminPort) throws Exception {
        String portHex = String.format("%04X", adminPort);
        List<String> listening = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Files.readAllLines(Path.of(table)).stream().skip(1).map(String::trim).map(l -> l.split("\\s+"))
                    .filter(f -> f[3].equals("0A") && f[1].endsWith(":" + portHex)).forEach(f -> listening.add(f[1]));
        }
        // 127.0.0.1, as an IPv4 socket or as the IPv4-mapped address of a dual-stack one
        assertThat(listening).hasSize(1).allMatch(a -> a.equals("0100007F:" + portHex) || a.equals("0000000000000000FFFF00000100007F:" + portHex));
        Optional<InetAddress> other = NetworkInterface.networkInterfaces().filter(i -> !isLoopback(i))
                .flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
        if (other.isPresent()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(other.get(), adminPort), 2_000);
                throw new AssertionError("the admin port answered on " + other.get());
            } catch (java.io.IOException expected) {
                // refused: nothing listens there
            }
        }
    }

    private static boolean isLoopback(NetworkInterface i) {
        try {
            return i.isLoopback();
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    /** Scrapes until GET /sleep 200 summed over workers is {@code expected}; returns the count per worker. */
    private static Map<String, Double> awaitSleepRequests(int adminPort, int expected, ClusterProcess cluster) throws Exception {
        long deadline = System.nanoTime() + REPORT.toNanos();
        Map<String, Double> perWorker = Map.of();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = RawHttp.get(adminPort, "/metrics").body();
            perWorker = sleepRequests(text);
            double sum = perWorker.values().stream().mapToDouble(Double::doubleValue).sum();
            assertThat(sum).as("never more than were sent\n%s", text).isLessThanOrEqualTo(expected);
            if (sum == expected) {
                return perWorker;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET /sleep requests summed over workers never reached " + expected + ": " + perWorker + "\n" + text
                + "\n" + cluster.output());
    }

    /** Scrapes until {@code done} holds for the exposition; returns it. */
    private static String awaitScrape(int adminPort, java.util.function.Predicate<String> done, ClusterProcess cluster) throws Exception {
        long deadline = System.nanoTime() + REPORT.toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = RawHttp.get(adminPort, "/metrics").body();
            if (done.test(text)) {
                return text;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the exposition never got there:\n" + text + "\n" + cluster.output());
    }

    private static Map<String, Double> sleepRequests(String text) {
        Map<String, Double> perWorker = new HashMap<>();
        Matcher m = REQUESTS.matcher(text);
        while (m.find()) {
            String labels = m.group(1);
            if (labels.contains("route=\"/sleep\"") && labels.contains("method=\"GET\"") && labels.contains("status=\"200\"")) {
                Matcher w = Pattern.compile("worker=\"(\\d+)\"").matcher(labels);
                assertThat(w.find()).isTrue();
                perWorker.merge(w.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return perWorker;
    }

    private static long pidOf(ClusterProcess cluster, int worker) {
        Pattern ready = Pattern.compile("worker " + worker + " \\(pid (\\d+), generation 1\\) is ready");
        String line = cluster.awaitStderr(ready.asPredicate(), BOOT);
        Matcher m = ready.matcher(line);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
