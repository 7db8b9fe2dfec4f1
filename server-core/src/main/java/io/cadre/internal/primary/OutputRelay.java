package io.cadre.internal.primary;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Copies a worker's stdout or stderr to the primary's, one whole line at a time, each line prefixed
 * with {@code [worker N] } (when prefixing is on). Every line goes out in a single write to a shared
 * {@link PrintStream}, so lines of different workers never interleave mid-line, whatever the
 * worker printed them with (a logger, {@code System.out}, the JVM itself). Lines longer than
 * {@link #MAX_LINE} bytes are cut into pieces of at most that size, never inside a UTF-8 sequence. Runs on one virtual thread per stream,
 * {@code cadre-relay-N-out|err}, until the stream ends. A watch, when given, sees each line (as
 * text, without the prefix) until it answers false.
 */
final class OutputRelay {
    static final int MAX_LINE = 64 * 1024;

    private OutputRelay() {
    }

    /** Starts the copy; the future completes when the stream has ended and its last line is out. */
    static CompletableFuture<Void> start(InputStream in, PrintStream out, String prefix, String threadName, Predicate<String> watch) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name(threadName).start(() -> {
            try {
                copy(in, out, prefix, watch);
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    static void copy(InputStream in, PrintStream out, String prefix) {
        copy(in, out, prefix, null);
    }

    static void copy(InputStream in, PrintStream out, String prefix, Predicate<String> watch) {
        byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        watch = show(watch, line);
                        emit(out, prefixBytes, line);
                    } else {
                        line.write(b);
                        if (line.size() >= MAX_LINE) {
                            byte[] whole = line.toByteArray();
                            int cut = utf8Boundary(whole);
                            line.reset();
                            line.write(whole, 0, cut);
                            watch = show(watch, line);
                            emit(out, prefixBytes, line);
                            line.write(whole, cut, whole.length - cut);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the worker is gone; whatever it printed last is below
        } finally {
            if (line.size() > 0) {
                watch = show(watch, line);
                emit(out, prefixBytes, line);
            }
        }
    }

    /**
     * Where a long line may be cut: its length, or, when its last character is not complete yet, where
     * that character begins, so that no piece ends inside a UTF-8 sequence (which the terminal or a
     * log collector would show as replacement characters).
     */
    static int utf8Boundary(byte[] bytes) {
        int end = bytes.length;
        int start = end - 1;
        while (start > 0 && start > end - 4 && (bytes[start] & 0xC0) == 0x80) {
            start--;
        }
        int lead = bytes[start] & 0xFF;
        int length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return start + length > end && start > 0 ? start : end;
    }

    /** Shows {@code line} to {@code watch}; returns the watch, or null once it wants no more lines. */
    private static Predicate<String> show(Predicate<String> watch, ByteArrayOutputStream line) {
        return watch == null || watch.test(line.toString(StandardCharsets.UTF_8)) ? watch : null;
    }

    private static void emit(PrintStream out, byte[] prefix, ByteArrayOutputStream line) {
        byte[] whole = new byte[prefix.length + line.size() + 1];
        System.arraycopy(prefix, 0, whole, 0, prefix.length);
        byte[] body = line.toByteArray();
        int end = body.length;
        if (end > 0 && body[end - 1] == '\r') {
            end--;
        }
        System.arraycopy(body, 0, whole, prefix.length, end);
        whole[prefix.length + end] = '\n';
        int length = prefix.length + end + 1;
        synchronized (out) {
            out.write(whole, 0, length);
            out.flush();
        }
        line.reset();
    }
}
