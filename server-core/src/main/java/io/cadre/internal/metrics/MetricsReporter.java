package io.cadre.internal.metrics;

import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.FrameType;
import io.cadre.internal.ipc.IpcChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a worker's {@link WorkerMetrics} to the primary in a {@code METRICS} frame every
 * {@link #INTERVAL_MILLIS}, from its own daemon thread {@code cadre-metrics}, and one last time when
 * the worker stops. Snapshots are cumulative, so a dropped frame costs nothing; a worker killed by
 * SIGKILL loses what it counted since its last frame (at most one interval).
 */
public final class MetricsReporter {
    /** Resolved on first use: a worker's boot must not wait for the logging backend. */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(MetricsReporter.class);
    }
    /** How often a worker reports. UNIT: ms. */
    public static final long INTERVAL_MILLIS = 1_000;

    private final IpcChannel ipc;
    private final WorkerMetrics metrics;
    private final long pid;
    private final int generation;
    private final ScheduledExecutorService thread;

    private MetricsReporter(IpcChannel ipc, WorkerMetrics metrics, long pid, int generation) {
        this.ipc = ipc;
        this.metrics = metrics;
        this.pid = pid;
        this.generation = generation;
        this.thread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("cadre-metrics").daemon().factory());
    }

    /** Sends a first snapshot now and then one every interval. */
    public static MetricsReporter start(IpcChannel ipc, WorkerMetrics metrics, long pid, int generation) {
        MetricsReporter reporter = new MetricsReporter(ipc, metrics, pid, generation);
        reporter.thread.scheduleAtFixedRate(reporter::send, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return reporter;
    }

    /**
     * Stops the timer and sends a last snapshot, waiting at most {@code timeoutMillis} for it to be
     * written (the caller closes the channel next, which would drop it). Call once, from the
     * thread that stops the worker.
     */
    public void stop(long timeoutMillis) {
        thread.shutdownNow();
        try {
            thread.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (ipc.isOpen() && send()) {
            ipc.awaitWritten(timeoutMillis);
        }
    }

    private boolean send() {
        try {
            return ipc.send(Frame.json(FrameType.METRICS, metrics.snapshot(pid, generation)));
        } catch (RuntimeException e) {
            Log.log.warn("could not send the worker's metrics: {}", e.toString());
            return false;
        }
    }
}
