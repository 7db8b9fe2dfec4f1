package io.cadre.internal.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The primary's admin HTTP server: {@code GET /metrics} (Prometheus text format 0.0.4) on
 * {@code 127.0.0.1} only, never a public address; everything else is 404 (405 for another method
 * on {@code /metrics}). The JDK's own HTTP server, a virtual thread per exchange, named
 * {@code cadre-admin-N}. Put it behind a scraping agent or an SSH tunnel to reach it from elsewhere.
 */
public final class AdminServer implements AutoCloseable {
    /** The only address the admin server binds. */
    public static final String HOST = "127.0.0.1";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService threads;

    private AdminServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Serves {@code hub} on {@code 127.0.0.1:port} ({@code 0}: a free port); a port in use is an {@link IOException}. */
    public static AdminServer start(int port, MetricsHub hub) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST), port), 64);
        } catch (IOException e) {
            throw new IOException("cannot serve /metrics on " + HOST + ":" + port + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cadre-admin-", 1).factory());
        server.setExecutor(threads);
        server.createContext("/", exchange -> handle(exchange, hub));
        server.start();
        return new AdminServer(server, threads);
    }

    /** The bound address: {@code 127.0.0.1} and the port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL of the metrics endpoint. */
    public String url() {
        return "http://" + HOST + ":" + port() + "/metrics";
    }

    private static void handle(HttpExchange exchange, MetricsHub hub) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found; try /metrics\n", method);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n", method);
            } else {
                send(exchange, 200, CONTENT_TYPE, hub.scrape(), method);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body, String method) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = method.equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops serving at once. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
