package io.cadre.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Two load shapes on keep-alive HTTP/1.1 connections, for latency work:
 * <ul>
 *   <li>{@link #probe}: open loop at a fixed rate. Each request has an intended send time; its
 *       latency counts from that time, not from when it was sent, so a stalled server is charged
 *       for the requests it delayed (no coordinated omission). Latencies go to an HdrHistogram. A
 *       probe stops sending 10 s after its end time; the requests it did not send are recorded
 *       with the time they had waited by then, and counted as errors.</li>
 *   <li>{@link #saturate}: closed loop, each connection sending its next request as soon as the
 *       last one answered, to keep a route busy.</li>
 * </ul>
 */
final class HttpLoad {
    private HttpLoad() {
    }

    /** What a probe saw. Latencies in microseconds. */
    record Result(String path, long count, long errors, long p50, long p99, long p999, long max) {
        @Override
        public String toString() {
            return String.format("%-16s n=%-6d errors=%-4d p50=%6d us  p99=%7d us  p99.9=%7d us  max=%7d us",
                    path, count, errors, p50, p99, p999, max);
        }
    }

    /** Sends {@code ratePerSecond} requests for {@code path} over {@code connections} connections for {@code seconds}. */
    static Result probe(int port, String path, int ratePerSecond, int seconds, int connections) throws InterruptedException {
        Recorder recorder = new Recorder(3); // auto-resizing: a starved probe may wait minutes
        AtomicLong errors = new AtomicLong();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * connections / ratePerSecond;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long giveUp = end + TimeUnit.SECONDS.toNanos(10);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long offset = intervalNanos * c / connections;
            threads.add(Thread.ofPlatform().name("probe-" + c).start(() -> {
                Connection conn = null;
                for (long intended = start + offset; intended < end; intended += intervalNanos) {
                    if (System.nanoTime() > giveUp) {
                        // a starved server: the requests not sent yet have waited at least this long
                        for (long late = intended; late < end; late += intervalNanos) {
                            recorder.recordValue(Math.max(1, (System.nanoTime() - late) / 1_000));
                            errors.incrementAndGet();
                        }
                        break;
                    }
                    long wait = intended - System.nanoTime();
                    if (wait > 0) {
                        sleepNanos(wait);
                    }
                    try {
                        if (conn == null) {
                            conn = new Connection(port);
                        }
                        if (conn.get(path) / 100 != 2) {
                            errors.incrementAndGet();
                        }
                        recorder.recordValue(Math.max(1, (System.nanoTime() - intended) / 1_000));
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        conn = close(conn);
                    }
                }
                close(conn);
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        Histogram h = recorder.getIntervalHistogram();
        return new Result(path, h.getTotalCount(), errors.get(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /**
     * Keeps {@code connections} connections busy on {@code path} until {@link Saturation#stop}. A
     * refused request (503) is retried 10 ms later, so a full pool is not answered with a storm of
     * refusals that would load the IO threads instead of the compute pool.
     */
    static Saturation saturate(int port, String path, int connections) {
        Saturation s = new Saturation();
        for (int c = 0; c < connections; c++) {
            s.threads.add(Thread.ofPlatform().name("saturate-" + c).start(() -> {
                Connection conn = null;
                while (s.running) {
                    try {
                        if (conn == null) {
                            conn = new Connection(port);
                        }
                        int status = conn.get(path);
                        (status == 200 ? s.ok : s.refused).incrementAndGet();
                        if (status == 503) {
                            sleepNanos(TimeUnit.MILLISECONDS.toNanos(10)); // refused: the pool is full; do not spin on 503s
                        }
                    } catch (IOException e) {
                        conn = close(conn);
                    }
                }
                close(conn);
            }));
        }
        return s;
    }

    /** A running saturation load. */
    static final class Saturation {
        final List<Thread> threads = new ArrayList<>();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        volatile boolean running = true;

        void stop() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Connection close(Connection c) {
        if (c != null) {
            try {
                c.socket.close();
            } catch (IOException e) {
                // gone already
            }
        }
        return null;
    }

    /** One keep-alive connection; reads Content-Length bodies only, which is all Cadre sends here. */
    static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final byte[] buf = new byte[16 * 1024];

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        /** GET {@code path}; returns the status. */
        int get(String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StringBuilder head = new StringBuilder();
            int b;
            int newlines = 0;
            while ((b = in.read()) >= 0) {
                head.append((char) b);
                newlines = b == '\n' ? newlines + 1 : (b == '\r' ? newlines : 0);
                if (newlines == 2) {
                    break;
                }
            }
            if (b < 0) {
                throw new IOException("connection closed");
            }
            String text = head.toString();
            int status = Integer.parseInt(text.substring(9, 12));
            int i = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
            long length = i < 0 ? 0 : Long.parseLong(text.substring(i + 15, text.indexOf('\r', i)).trim());
            while (length > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, length));
                if (n < 0) {
                    throw new IOException("connection closed in a body");
                }
                length -= n;
            }
            if (text.toLowerCase(java.util.Locale.ROOT).contains("connection: close")) {
                throw new IOException("server closed the connection");
            }
            return status;
        }
    }
}
