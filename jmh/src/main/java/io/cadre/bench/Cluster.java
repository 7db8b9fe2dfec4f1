package io.cadre.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Cadre app started from its jar for a benchmark, with its output lines queued. */
final class Cluster implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("cadre listening on http://\\S+:(\\d+) ");

    final Process process;
    final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    final BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    final Path runtimeDir;
    int port;

    private Cluster(Process process, Path runtimeDir) {
        this.process = process;
        this.runtimeDir = runtimeDir;
        pump(process.getInputStream(), stdout);
        pump(process.getErrorStream(), stderr);
    }

    static Cluster start(Path jar, String... args) throws IOException {
        Path runtime = Files.createTempDirectory("cadre-bench");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CADRE_RUNTIME_DIR", runtime.toString());
        Cluster cluster = new Cluster(pb.start(), runtime);
        String line = cluster.await(cluster.stdout, LISTENING.asPredicate(), 120);
        Matcher m = LISTENING.matcher(line);
        m.find();
        cluster.port = Integer.parseInt(m.group(1));
        return cluster;
    }

    /** Waits for a line matching {@code match} on {@code lines}, consuming the ones before it. */
    String await(BlockingQueue<String> lines, Predicate<String> match, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && match.test(line)) {
                    return line;
                }
                if (line == null && !process.isAlive()) {
                    throw new IllegalStateException("the cluster exited with code " + process.exitValue());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("no matching line within " + seconds + " s");
    }

    /**
     * Sends SIGHUP and waits up to {@code seconds} for "rolling restart (SIGHUP) done"; returns the
     * workers' "worker N warmed up on ..." lines logged meanwhile (none without {@code --warm-up}).
     */
    List<String> rollingRestart(long seconds) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
        List<String> warmUps = new ArrayList<>();
        await(stderr, l -> {
            if (l.contains("warmed up on")) {
                warmUps.add(l.substring(l.lastIndexOf("worker ", l.indexOf("warmed up on"))));
            }
            return l.contains("rolling restart (SIGHUP) done");
        }, seconds);
        return warmUps;
    }

    List<ProcessHandle> workers() {
        return process.children().filter(ProcessHandle::isAlive) // not redis-server and its watchdog
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).toList();
    }

    /** One GET on a fresh connection; true for a 200. */
    static boolean get(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] head = s.getInputStream().readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static void pump(InputStream in, BlockingQueue<String> into) {
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                }
            } catch (IOException e) {
                // gone
            }
        });
    }
}
