package io.cadre.internal.ipc;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IPC connection over a Unix domain socket: a reader thread that hands each frame to a
 * {@link Listener}, and a writer thread that drains the outbound queues, so {@link #send} never
 * blocks. Cadre's own frames (hello, ready, heartbeats, metrics, drain, dumps) and app messages
 * ({@link FrameType#APP}) travel apart, each way:
 * <ul>
 *   <li>Out: Cadre's frames have their own queue, which the writer empties first, so a flood of
 *       app messages never delays or crowds out a heartbeat (which would get a healthy worker
 *       killed as hung). App messages queue up to {@link #QUEUE_CAPACITY} frames and
 *       {@link #QUEUE_BYTES} bytes; beyond that {@link #send} refuses them.</li>
 *   <li>In: app messages go to the listener on their own thread, in order, so a slow app listener
 *       never stops the reader from taking heartbeats and readiness; up to the same bounds wait
 *       for it, and messages beyond them are dropped and logged (at most once a second).</li>
 * </ul>
 * Threads: virtual, {@code cadre-ipc-<name>-read|write|app}.
 *
 * <p>A malformed frame closes the connection; the listener hears about it once, through
 * {@link Listener#onClose} (on the reader thread, at once: app messages still waiting for their
 * thread are delivered after it). Thread-safe.
 */
public final class IpcChannel implements AutoCloseable {
    /** Resolved on first use: a worker's boot must not wait for the logging backend (see {@code Warmup}). */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(IpcChannel.class);
    }
    /** App messages waiting to be written, or to be handled, before more are refused or dropped. */
    static final int QUEUE_CAPACITY = 4096;
    /** The same bound in bytes (payloads). UNIT: bytes. */
    static final long QUEUE_BYTES = 64L * 1024 * 1024;
    /** Cadre's own frames waiting to be written (a few a second; a peer that reads none for minutes is gone). */
    static final int CONTROL_CAPACITY = 1024;

    /** Receives frames and the end of the connection. */
    public interface Listener {
        /**
         * One frame: {@link FrameType#APP} frames on the channel's app thread, in the order they
         * came, every other frame on the reader thread.
         */
        void onFrame(IpcChannel channel, Frame frame) throws IOException;

        /** Called once, on the reader thread, when the connection ends; {@code cause} is null for a clean end of stream. */
        void onClose(IpcChannel channel, Throwable cause);
    }

    /** A frame queued for writing, numbered in the order {@link #send} took it. */
    private record Out(long seq, Frame frame) {
    }

    private static final Frame END = Frame.empty(FrameType.APP);

    private final SocketChannel socket;
    private final String name;
    private final ReentrantLock sending = new ReentrantLock(); // numbers and queues in one step: each queue stays in number order
    private final BlockingQueue<Out> control = new ArrayBlockingQueue<>(CONTROL_CAPACITY);
    private final BlockingQueue<Out> app = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Semaphore pending = new Semaphore(0);
    private final AtomicLong appBytes = new AtomicLong();
    private long seq; // guarded by sending
    private final BlockingQueue<Frame> inbound = new LinkedBlockingQueue<>();
    private final AtomicInteger inboundFrames = new AtomicInteger();
    private final AtomicLong inboundBytes = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - 2_000_000_000L);
    private volatile Thread writer;

    public IpcChannel(SocketChannel socket, String name) {
        this.socket = socket;
        this.name = name;
    }

    /** Starts the reader, writer and app threads. Call once. */
    public void start(Listener listener) {
        writer = Thread.ofVirtual().name("cadre-ipc-" + name + "-write").start(this::writeLoop);
        Thread.ofVirtual().name("cadre-ipc-" + name + "-app").start(() -> appLoop(listener));
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
        boolean isApp = frame.type() == FrameType.APP;
        boolean accepted;
        sending.lock();
        try {
            Out out = new Out(seq + 1, frame);
            if (isApp) {
                accepted = appBytes.get() + frame.payload().length <= QUEUE_BYTES && app.offer(out);
                if (accepted) {
                    appBytes.addAndGet(frame.payload().length);
                }
            } else {
                accepted = control.offer(out);
            }
            if (accepted) {
                seq++;
            }
        } finally {
            sending.unlock();
        }
        if (accepted) {
            pending.release();
        } else {
            dropped("IPC queue to " + name + " is full (" + (isApp ? QUEUE_CAPACITY + " frames or " + (QUEUE_BYTES >> 20) + " MiB of app messages"
                    : CONTROL_CAPACITY + " frames") + "); dropped a " + frame.type() + " frame");
        }
        return accepted;
    }

    /**
     * Waits until every frame queued before this call has been written to the socket, for at most
     * {@code timeoutMillis}; for a last frame that must get out before {@link #close()} drops the
     * queue. Returns whether they were written.
     */
    public boolean awaitWritten(long timeoutMillis) {
        long target;
        sending.lock();
        try {
            target = seq;
        } finally {
            sending.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        // a frame leaves its queue only once it is written, and each queue is in number order
        while (waiting(control, target) || waiting(app, target)) {
            if (closed.get() || System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(200_000);
        }
        return true;
    }

    private static boolean waiting(BlockingQueue<Out> queue, long target) {
        Out head = queue.peek();
        return head != null && head.seq() <= target;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    public String name() {
        return name;
    }

    /** Closes the connection at once; frames still queued for writing are dropped. Idempotent. */
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
                if (frame.type() == FrameType.APP) {
                    receivedApp(frame);
                } else {
                    listener.onFrame(this, frame);
                }
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
            inbound.add(END);
            listener.onClose(this, cause);
        }
    }

    /** Hands an app message to the app thread, or drops it when too many wait already. */
    private void receivedApp(Frame frame) {
        int size = frame.payload().length;
        if (inboundFrames.get() >= QUEUE_CAPACITY || inboundBytes.get() + size > QUEUE_BYTES) {
            dropped("app messages from " + name + " wait for a slow listener (" + inboundFrames.get() + " frames, "
                    + (inboundBytes.get() >> 10) + " KiB); dropped one of " + size + " bytes");
            return;
        }
        inboundFrames.incrementAndGet();
        inboundBytes.addAndGet(size);
        inbound.add(frame);
    }

    private void appLoop(Listener listener) {
        try {
            Frame frame;
            while ((frame = inbound.take()) != END) {
                inboundFrames.decrementAndGet();
                inboundBytes.addAndGet(-frame.payload().length);
                try {
                    listener.onFrame(this, frame);
                } catch (MalformedFrameException e) {
                    Log.log.warn("malformed IPC frame from {}: {}; dropping the connection", name, e.getMessage());
                    close();
                } catch (IOException | RuntimeException e) {
                    Log.log.error("IPC listener for {} failed; dropping the connection", name, e);
                    close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        try {
            while (!closed.get()) {
                pending.acquire();
                BlockingQueue<Out> from = control.isEmpty() ? app : control;
                Out out = from.peek();
                if (out == null) {
                    continue;
                }
                FrameCodec.write(socket, out.frame());
                from.poll();
                if (from == app) {
                    appBytes.addAndGet(-out.frame().payload().length);
                }
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

    /** Logs a dropped frame, at most once a second per connection. */
    private void dropped(String what) {
        long now = System.nanoTime();
        long last = lastDropLog.get();
        if (now - last >= 1_000_000_000L && lastDropLog.compareAndSet(last, now)) {
            Log.log.warn(what);
        }
    }
}
