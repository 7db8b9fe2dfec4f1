package io.cadre.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady background traffic for operations tests: half the clients keep one connection alive, half
 * open a new connection per request. Counts answers by status and every transport error, with what
 * it was, so a test can demand zero of them.
 *
 * <p>Like every HTTP/1.1 client (RFC 9112, 9.3.1), a keep-alive client that finds its idle, reused
 * connection closed before any byte of the answer (the server closed it as the request left) sends
 * the request again once on a new connection; that is counted in {@link #retried()}, not as an error.
 */
public final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService clients;
    private final List<Future<?>> done = new ArrayList<>();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();

    private Load(int port, int clientCount, String path) {
        clients = Executors.newFixedThreadPool(clientCount);
        for (int i = 0; i < clientCount; i++) {
            boolean keepAlive = i % 2 == 0;
            done.add(clients.submit(() -> run(port, path, keepAlive)));
        }
    }

    /** Starts {@code clients} clients sending GET {@code path} to {@code port}. */
    public static Load start(int port, int clients, String path) {
        return new Load(port, clients, path);
    }

    private Void run(int port, String path, boolean keepAlive) throws InterruptedException {
        RawHttp.Connection c = null;
        boolean reused = false;
        while (running.get()) {
            try {
                RawHttp.Response r;
                if (keepAlive) {
                    if (c == null) {
                        c = new RawHttp.Connection(port, 30_000);
                        reused = false;
                    }
                    try {
                        r = c.get(path);
                    } catch (IOException e) {
                        if (!reused || !"connection closed before a response".equals(e.getMessage())) {
                            throw e;
                        }
                        retried.incrementAndGet();
                        c.close();
                        c = new RawHttp.Connection(port, 30_000);
                        r = c.get(path);
                    }
                    reused = true;
                    if ("close".equalsIgnoreCase(r.header("Connection"))) {
                        c.close(); // a draining worker says so after its last response: not an error
                        c = null;
                    }
                } else {
                    r = RawHttp.request(port, "GET", path, null, 30_000);
                }
                statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
                answered.incrementAndGet();
            } catch (IOException e) {
                errors.add((keepAlive ? "keep-alive: " : "new connection: ") + e);
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // already broken
                    }
                    c = null;
                }
            }
            Thread.sleep(2); // a client's think time: several clients, not busy loops on two cores
        }
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        return null;
    }

    public long answered() {
        return answered.get();
    }

    /** Requests sent again because an idle keep-alive connection was closed under them. */
    public long retried() {
        return retried.get();
    }

    /** Answers that were not 2xx, by status. */
    public Map<Integer, Integer> non2xx() {
        Map<Integer, Integer> bad = new java.util.TreeMap<>();
        statuses.forEach((s, n) -> {
            if (s < 200 || s > 299) {
                bad.put(s, n.get());
            }
        });
        return bad;
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Stops the clients and waits for them (bounded). */
    @Override
    public void close() throws Exception {
        running.set(false);
        clients.shutdown();
        if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
            clients.shutdownNow();
        }
        for (Future<?> f : done) {
            if (f.isDone() && !f.isCancelled()) {
                f.get();
            }
        }
    }
}
