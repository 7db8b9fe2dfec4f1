package io.cadre.compute.isolated.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a child's stderr on its own thread, keeps the last lines, and notes what the JVM says when
 * it dies of a fatal error or of an {@code OutOfMemoryError}, however long the report is.
 */
public final class StderrTail {
    private static final Pattern FATAL_SIGNAL = Pattern.compile("^#\\s+(SIG[A-Z]+) \\(0x");
    private static final Pattern ERROR_FILE = Pattern.compile("^#\\s+(/\\S+hs_err\\S*)");

    private final int keep;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean fatal;
    private volatile boolean outOfMemory;
    private volatile String fatalSignal = "unknown";
    private volatile String errorFile;

    public StderrTail(InputStream stderr, int keep, String threadName) {
        this.keep = keep;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).start(() -> pump(stderr));
    }

    private void pump(InputStream stderr) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                note(line);
                synchronized (lines) {
                    lines.addLast(line.length() > 1_000 ? line.substring(0, 1_000) + "..." : line);
                    while (lines.size() > keep) {
                        lines.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    private void note(String line) {
        if (line.contains("A fatal error has been detected by the Java Runtime Environment")) {
            fatal = true;
        } else if (line.contains("java.lang.OutOfMemoryError")) {
            outOfMemory = true;
        }
        if (fatal) {
            Matcher s = FATAL_SIGNAL.matcher(line);
            if (s.find() && "unknown".equals(fatalSignal)) {
                fatalSignal = s.group(1);
            }
            Matcher f = ERROR_FILE.matcher(line);
            if (f.find()) {
                errorFile = f.group(1);
            }
        }
    }

    /** Waits (at most {@code millis}) until the child's stderr has ended, so that the tail is whole. */
    public void awaitEnd(long millis) {
        try {
            thread.join(TimeUnit.MILLISECONDS.toMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Whether the JVM reported a fatal error (a native crash). */
    public boolean fatal() {
        return fatal;
    }

    public boolean outOfMemory() {
        return outOfMemory;
    }

    public String fatalSignal() {
        return fatalSignal;
    }

    /** The JVM's error report, when it wrote one. */
    public String errorFile() {
        return errorFile;
    }
}
