package io.cadre.compute.isolated.internal;

import java.io.IOException;
import java.io.InputStream;
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

    /** The most of one line that is kept; the rest of a longer line is read and dropped. UNIT: bytes. */
    static final int MAX_LINE_BYTES = 1_000;

    /**
     * Reads the stream in chunks and never holds more than {@link #MAX_LINE_BYTES} of a line: a
     * child that prints one endless line (binary output, a huge blob) costs the parent nothing.
     */
    private void pump(InputStream stderr) {
        byte[] chunk = new byte[8 * 1024];
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
        boolean cut = false;
        try (stderr) {
            for (int n = stderr.read(chunk); n >= 0; n = stderr.read(chunk)) {
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (b == '\n') {
                        add(line, cut);
                        line.reset();
                        cut = false;
                    } else if (line.size() < MAX_LINE_BYTES) {
                        line.write(b);
                    } else {
                        cut = true;
                    }
                }
            }
            if (line.size() > 0 || cut) {
                add(line, cut);
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    private void add(java.io.ByteArrayOutputStream bytes, boolean cut) {
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        note(text);
        synchronized (lines) {
            lines.addLast(cut ? text + "..." : text);
            while (lines.size() > keep) {
                lines.removeFirst();
            }
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
