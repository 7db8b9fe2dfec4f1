package io.cadre.internal.primary;

import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.internal.route.RouteSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AOT training run ({@code --aot-train FILE}, JDK 25+): one worker on a loopback port, started
 * with {@code -XX:AOTCacheOutput=FILE}, gets a few hundred requests on the training paths, then
 * the cluster stops and the worker's JVM writes the cache as it exits (JEP 514). Workers started
 * later from the same jar with the same JDK load it ({@code -XX:AOTCache}), which cuts their
 * start. The build of the samples runs this after packaging; see docs/operations.md.
 */
final class AotTraining {
    private static final Logger log = LoggerFactory.getLogger(AotTraining.class);
    /** Requests per training path. */
    static final int ROUNDS = 200;

    private AotTraining() {
    }

    static boolean supported() {
        return Runtime.version().feature() >= 25;
    }

    /** The configuration of a training run: one worker on a free loopback port, writing the cache. */
    static CadreConfig configure(CadreConfig config, Path output) {
        List<String> options = new ArrayList<>(config.workerJvmOptions());
        options.add("-XX:AOTCacheOutput=" + output.toAbsolutePath());
        return config.toBuilder().workers(1).port(0).host("127.0.0.1").workerJvmOptions(options).build();
    }

    /** Health, a miss, and every GET route of the app without path parameters, unless the user named the paths. */
    static List<String> paths(App app, List<String> given) {
        if (!given.isEmpty()) {
            return given;
        }
        List<String> paths = new ArrayList<>(List.of("/health/live", "/health/ready", "/cadre-aot-training-miss"));
        for (RouteSpec route : app.routes()) {
            if (route.method().equals("GET") && route.template().params().isEmpty()) {
                paths.add(route.template().toString());
            }
        }
        return paths;
    }

    /** Writes the fingerprint beside a cache the run wrote; returns the primary's exit code. */
    static int finish(Path cache, int code) throws java.io.IOException {
        if (code == io.cadre.ExitCodes.OK && java.nio.file.Files.isRegularFile(cache)) {
            AotFingerprint.of(System.getProperty("java.class.path")).writeFor(cache);
            System.err.println("cadre: wrote the AOT cache " + cache + " (" + java.nio.file.Files.size(cache) / (1024 * 1024) + " MiB)");
            return code;
        }
        System.err.println("cadre: the AOT training run did not write " + cache);
        return io.cadre.ExitCodes.FATAL;
    }

    /** Sends the training requests on a virtual thread, then runs {@code done}. */
    static void start(int port, List<String> paths, Runnable done) {
        Thread.ofVirtual().name("cadre-aot-training").start(() -> {
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    for (String path : paths) {
                        get(port, path);
                    }
                }
                log.info("AOT training: sent {} requests on {}", ROUNDS * paths.size(), paths);
            } catch (IOException e) {
                log.error("AOT training requests failed: {}", e.toString());
            } finally {
                done.run();
            }
        });
    }

    private static void get(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
