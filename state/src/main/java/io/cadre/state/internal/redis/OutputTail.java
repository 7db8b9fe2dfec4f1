package io.cadre.state.internal.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a child process's output on its own daemon thread (named by the caller), logs each line at
 * DEBUG, and keeps the last {@value #KEPT} lines for error messages. {@link #lines()} may be called
 * from any thread.
 */
final class OutputTail {
    static final int KEPT = 20;
    private static final Logger log = LoggerFactory.getLogger(OutputTail.class);

    private final Deque<String> last = new ArrayDeque<>(KEPT);
    private final Thread reader;

    private OutputTail(InputStream in, String threadName, String prefix) {
        this.reader = Thread.ofPlatform().daemon().name(threadName).unstarted(() -> pump(in, prefix));
    }

    /** Starts reading {@code in} until it ends. */
    static OutputTail start(InputStream in, String threadName, String prefix) {
        OutputTail tail = new OutputTail(in, threadName, prefix);
        tail.reader.start();
        return tail;
    }

    private void pump(InputStream in, String prefix) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.debug("{}{}", prefix, line);
                synchronized (last) {
                    if (last.size() == KEPT) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Waits up to {@code millis} for the output to end (after the process exited), so {@link #lines()} is complete. */
    void awaitEnd(long millis) {
        try {
            reader.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines read, oldest first, one per line. */
    String lines() {
        synchronized (last) {
            return last.isEmpty() ? "(no output)" : String.join("\n", last);
        }
    }
}
