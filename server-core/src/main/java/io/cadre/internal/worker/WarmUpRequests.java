package io.cadre.internal.worker;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of a replacement worker's warm-up ({@code --warm-up}): a few keep-alive
 * connections to the worker's own private loopback listener send {@code GET} requests on the
 * given paths in turn until {@code requests} were answered, the deadline passed or the worker
 * began to drain, so that the JIT has compiled the paths' code before the worker takes its first
 * real request. A path that answers anything but 2xx or 3xx, or gives no answer within
 * {@link #ANSWER_MILLIS} (its first answer: {@link #FIRST_ANSWER_MILLIS}), is left out from then on
 * and reported; nothing here ever fails the boot.
 */
final class WarmUpRequests {
    /** What a warm-up did: answers received, time taken, whether the deadline cut it short, and the paths left out and why. */
    record Result(long answered, long millis, boolean cutShort, Map<String, String> leftOut) {
    }

    /**
     * What a replacement's warm-up may do: run for at most {@code maxMillis} (0 or less: no time
     * left, no warm-up), stop early once {@code cancelled} says so (the worker began to drain), and
     * hand its result to {@code done}.
     */
    record Plan(long maxMillis, java.util.function.BooleanSupplier cancelled, java.util.function.Consumer<Result> done) {
    }

    /** How long one warm-up request may wait for its answer before its path is left out. UNIT: ms. */
    static final long ANSWER_MILLIS = 2_000;
    /**
     * The same for a path's first answer, which a cold worker gives slowly (its classes load, its
     * code runs interpreted): seconds on a busy 2-core host, which must not leave out the path the
     * warm-up is for. UNIT: ms.
     */
    static final long FIRST_ANSWER_MILLIS = 10_000;
    /** How often the waiting caller looks at {@code cancelled}. UNIT: ms. */
    private static final long CANCEL_POLL_MILLIS = 20;

    private final int port;
    private final List<String> paths;
    private final long requests;
    private final long deadlineNanos;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    /** Requests that got an answer, a bad status or a failure: fewer than {@code requests} means the deadline cut the warm-up short. */
    private final AtomicLong done = new AtomicLong();
    private final Map<String, String> leftOut = new ConcurrentHashMap<>();
    /** The paths that have answered once: from then on an answer must come within {@link #ANSWER_MILLIS}. */
    private final java.util.Set<String> answeredOnce = ConcurrentHashMap.newKeySet();
    /** The sockets open now, closed by {@link #run} when it ends early: one per connection at most. */
    private final java.util.Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final java.util.function.BooleanSupplier cancelled;
    private volatile String connectFailure;

    private WarmUpRequests(int port, List<String> paths, long requests, long deadlineNanos, java.util.function.BooleanSupplier cancelled) {
        this.port = port;
        this.paths = List.copyOf(paths);
        this.requests = requests;
        this.deadlineNanos = deadlineNanos;
        this.cancelled = cancelled;
    }

    /**
     * Sends the warm-up on {@code connections} connections to the loopback {@code port} and returns
     * when it is done; never later than about {@code maxMillis} from now, and within about
     * {@value #CANCEL_POLL_MILLIS} ms of {@code cancelled} turning true.
     */
    static Result run(int port, List<String> paths, long requests, long maxMillis, int connections,
            java.util.function.BooleanSupplier cancelled) {
        long start = System.nanoTime();
        WarmUpRequests warmUp = new WarmUpRequests(port, paths, requests, start + TimeUnit.MILLISECONDS.toNanos(maxMillis), cancelled);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < Math.max(1, connections); i++) {
            threads.add(Thread.ofPlatform().daemon().name("cadre-warm-up-" + (i + 1)).start(warmUp::send));
        }
        try {
            for (Thread t : threads) {
                long left;
                while (t.isAlive() && !cancelled.getAsBoolean() && (left = warmUp.deadlineNanos - System.nanoTime()) > 0) {
                    t.join(Math.min(CANCEL_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : warmUp.open) { // a request still waiting at the deadline or the cancel: unblock its thread
            closeQuietly(s);
        }
        long pathsLeftOut = warmUp.leftOut.keySet().stream().filter(warmUp.paths::contains).count();
        boolean cutShort = warmUp.done.get() < requests && pathsLeftOut < warmUp.paths.size();
        Map<String, String> reported = new java.util.HashMap<>(warmUp.leftOut);
        if (warmUp.connectFailure != null) {
            reported.put("(connect)", warmUp.connectFailure);
        }
        return new Result(warmUp.answered.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), cutShort, Map.copyOf(reported));
    }

    private boolean goOn() {
        return System.nanoTime() < deadlineNanos && !cancelled.getAsBoolean();
    }

    private void send() {
        Connection connection = null;
        try {
            long i;
            while (goOn() && (i = next.getAndIncrement()) < requests) {
                String path = pathFor(i);
                if (path == null) {
                    return; // every path was left out
                }
                if (connection == null) {
                    connection = connect();
                }
                Answer answer;
                long untilDeadline = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 1;
                long allowance = answeredOnce.contains(path) ? ANSWER_MILLIS : FIRST_ANSWER_MILLIS;
                boolean deadlineFirst = untilDeadline <= allowance;
                try {
                    connection.socket().setSoTimeout((int) Math.max(1, Math.min(allowance, untilDeadline)));
                    answer = connection.exchange(path);
                } catch (IOException e) {
                    if (goOn() || (!deadlineFirst && e instanceof java.net.SocketTimeoutException)) { // else the deadline or the cancel, not the path
                        leftOut.putIfAbsent(path, e instanceof java.net.SocketTimeoutException ? "no answer within " + allowance + " ms"
                                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                        done.incrementAndGet();
                    }
                    close(connection.socket());
                    connection = null;
                    continue;
                }
                if (answer.status() >= 200 && answer.status() < 400) {
                    answered.incrementAndGet();
                    answeredOnce.add(path);
                } else {
                    leftOut.putIfAbsent(path, "status " + answer.status());
                }
                done.incrementAndGet();
                if (answer.close()) {
                    close(connection.socket());
                    connection = null;
                }
            }
        } catch (IOException e) {
            if (goOn()) {
                connectFailure = e.toString();
            }
        } finally {
            if (connection != null) {
                close(connection.socket());
            }
        }
    }

    /** The path of request {@code i}, skipping left-out paths; null when all are left out. */
    private String pathFor(long i) {
        for (int k = 0; k < paths.size(); k++) {
            String path = paths.get((int) ((i + k) % paths.size()));
            if (!leftOut.containsKey(path)) {
                return path;
            }
        }
        return null;
    }

    private Connection connect() throws IOException {
        Socket socket = new Socket();
        open.add(socket);
        try {
            if (!goOn()) { // run() may have closed the open sockets already
                throw new IOException("the warm-up ended");
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            return new Connection(socket, new BufferedInputStream(socket.getInputStream(), 16 * 1024), socket.getOutputStream());
        } catch (IOException e) {
            close(socket);
            throw e;
        }
    }

    private record Answer(int status, boolean close) {
    }

    /** One keep-alive connection: the socket and its buffered input, kept across requests. */
    private record Connection(Socket socket, InputStream in, OutputStream out) {
        /** Sends one request and reads its whole answer (Content-Length, chunked, or up to the close). */
        Answer exchange(String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: cadre-warm-up\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer: " + statusLine);
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP status: " + statusLine);
            }
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (header.substring(0, colon).trim().toLowerCase(Locale.ROOT)) {
                    case "content-length" -> length = number(value, 10);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> close = value.contains("close");
                    default -> {
                    }
                }
            }
            if (status / 100 == 1 || status == 204 || status == 304) {
                // no body, whatever the headers say (RFC 9112, section 6.3)
            } else if (chunked) {
                for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
                    skip(in, size);
                    line(in);
                }
                while (!line(in).isEmpty()) {
                    // trailers, up to the empty line that ends the body
                }
            } else if (length > 0) {
                skip(in, length);
            } else if (length < 0) {
                in.transferTo(OutputStream.nullOutputStream()); // the body ends with the connection
                close = true;
            }
            return new Answer(status, close);
        }
    }

    private static long chunkSize(InputStream in) throws IOException {
        return number(line(in).split(";", 2)[0].trim(), 16);
    }

    private static long number(String text, int radix) throws IOException {
        try {
            return Long.parseLong(text, radix);
        } catch (NumberFormatException e) {
            throw new IOException("not a length: " + text);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the connection closed in an answer");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 16 * 1024) {
                throw new IOException("an answer line longer than 16 KiB");
            }
        }
        return sb.toString();
    }

    private static void skip(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("the connection closed in an answer's body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private void close(Socket socket) {
        open.remove(socket);
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
