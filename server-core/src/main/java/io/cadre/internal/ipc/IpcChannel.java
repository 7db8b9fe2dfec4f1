package io.cadre.internal.ipc;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IPC connection over a Unix domain socket: a reader thread that hands each frame to a
 * {@link Listener}, and a writer thread that drains a bounded queue, so {@link #send} never blocks.
 * Both are virtual threads named {@code cadre-ipc-<name>-read|write}.
 *
 * <p>A malformed frame closes the connection; the listener hears about it once, through
 * {@link Listener#onClose}. Thread-safe.
 */
public final class IpcChannel implements AutoCloseable {
    /** Resolved on first use: a worker's boot must not wait for the logging backend (see {@code Warmup}). */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(IpcChannel.class);
    }
    /** Frames waiting to be written before {@link #send} starts refusing. */
    static final int QUEUE_CAPACITY = 4096;

    /** Receives frames and the end of the connection. Called on the reader thread only. */
    public interface Listener {
        void onFrame(IpcChannel channel, Frame frame) throws IOException;

        /** Called once, when the connection ends; {@code cause} is null for a clean end of stream. */
        void onClose(IpcChannel channel, Throwable cause);
    }

    private final SocketChannel socket;
    private final String name;
    private final BlockingQueue<Frame> outbound = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile Thread writer;

    public IpcChannel(SocketChannel socket, String name) {
        this.socket = socket;
        this.name = name;
    }

    /** Starts the reader and writer threads. Call once. */
    public void start(Listener listener) {
        writer = Thread.ofVirtual().name("cadre-ipc-" + name + "-write").start(this::writeLoop);
        Thread.ofVirtual().name("cadre-ipc-" + name + "-read").start(() -> readLoop(listener));
    }

    /**
     * Queues {@code frame} for writing. Returns {@code false}, dropping the frame, when the
     * connection is closed or its queue is full (the peer stopped reading).
     */
    public boolean send(Frame frame) {
        if (closed.get()) {
            return false;
        }
        boolean accepted = outbound.offer(frame);
        if (accepted) {
            queued.incrementAndGet();
        } else {
            Log.log.warn("IPC queue to {} is full ({} frames); dropped a {} frame", name, QUEUE_CAPACITY, frame.type());
        }
        return accepted;
    }

    /**
     * Waits until every frame queued before this call has been written to the socket, for at most
     * {@code timeoutMillis}; for a last frame that must get out before {@link #close()} drops the
     * queue. Returns whether they were written.
     */
    public boolean awaitWritten(long timeoutMillis) {
        long target = queued.get();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (written.get() < target) {
            if (closed.get() || System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(200_000);
        }
        return true;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    public String name() {
        return name;
    }

    /** Closes the connection at once; frames still queued are dropped. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException e) {
                Log.log.debug("closing IPC channel {}", name, e);
            }
            Thread w = writer;
            if (w != null) {
                w.interrupt();
            }
        }
    }

    private void readLoop(Listener listener) {
        Throwable cause = null;
        try {
            FrameCodec.Reader in = new FrameCodec.Reader(socket);
            Frame frame;
            while ((frame = in.read()) != null) {
                listener.onFrame(this, frame);
            }
        } catch (MalformedFrameException e) {
            Log.log.warn("malformed IPC frame from {}: {}; dropping the connection", name, e.getMessage());
            cause = e;
        } catch (IOException e) {
            if (!closed.get()) {
                cause = e;
            }
        } catch (RuntimeException e) {
            Log.log.error("IPC listener for {} failed; dropping the connection", name, e);
            cause = e;
        } finally {
            close();
            listener.onClose(this, cause);
        }
    }

    private void writeLoop() {
        try {
            while (!closed.get()) {
                FrameCodec.write(socket, outbound.take());
                written.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!closed.get()) {
                Log.log.debug("IPC write to {} failed", name, e);
            }
        } finally {
            close();
        }
    }
}
