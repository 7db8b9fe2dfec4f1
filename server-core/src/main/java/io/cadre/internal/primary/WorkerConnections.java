package io.cadre.internal.primary;

import com.fasterxml.jackson.databind.JsonNode;
import io.cadre.Message;
import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.FrameType;
import io.cadre.internal.ipc.IpcChannel;
import io.cadre.internal.ipc.MalformedFrameException;
import io.cadre.internal.ipc.Payloads.Dumped;
import io.cadre.internal.ipc.Payloads.Heartbeat;
import io.cadre.internal.ipc.Payloads.Hello;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side of worker IPC connections. A connection the IPC server accepted (same user,
 * checked with SO_PEERCRED) must first send a {@code HELLO} carrying the secret token its worker was
 * forked with, within {@link #HELLO_TIMEOUT_MILLIS}; anything else drops it. After that, frames
 * become events for the supervisor (hello, ready, closed), heartbeat times, and app messages for the
 * app's listeners. Thread-safe: each connection's frames arrive on its own reader thread, its app
 * messages on its own app-message thread.
 */
final class WorkerConnections {
    private static final Logger log = LoggerFactory.getLogger(WorkerConnections.class);
    /** A connection that has not said a valid hello by then is dropped. UNIT: ms. */
    static final long HELLO_TIMEOUT_MILLIS = 5_000;

    /** What a worker's connection tells the supervisor; called on that connection's reader thread. */
    interface Events {
        void helloed(WorkerProcess wp);

        void ready(WorkerProcess wp);

        /** A worker answered a dump request; called on its IPC reader thread. */
        void dumped(WorkerProcess wp, Dumped dumped);

        void closed(WorkerProcess wp, IpcChannel channel);
    }

    private final Map<String, WorkerProcess> expected = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final PrimaryHandle handle;
    private final Events events;

    WorkerConnections(PrimaryHandle handle, Events events) {
        this.handle = handle;
        this.events = events;
    }

    /** A worker is about to be forked with {@code wp.token}; its hello will be accepted once. */
    void expect(WorkerProcess wp) {
        expected.put(wp.token, wp);
    }

    /** The worker is gone; its token is no longer good. */
    void forget(WorkerProcess wp) {
        expected.remove(wp.token);
    }

    /** Takes a connection the IPC server accepted; called on the accept thread. */
    void accepted(SocketChannel socket) {
        IpcChannel channel = new IpcChannel(socket, "conn-" + connections.incrementAndGet());
        AtomicBoolean authenticated = new AtomicBoolean();
        channel.start(new IpcChannel.Listener() {
            private volatile WorkerProcess wp; // set on the reader thread, read on the app thread too

            @Override
            public void onFrame(IpcChannel ch, Frame frame) throws IOException {
                if (wp == null && frame.type() == FrameType.APP) {
                    throw new MalformedFrameException("an app message before the hello");
                }
                if (wp == null) {
                    wp = authenticate(frame);
                    authenticated.set(true);
                    wp.channel = ch;
                    events.helloed(wp);
                    return;
                }
                switch (frame.type()) {
                    case READY -> events.ready(wp);
                    case HEARTBEAT -> {
                        wp.vitals = Heartbeat.of(frame);
                        wp.lastHeartbeatNanos = System.nanoTime();
                    }
                    case DUMPED -> events.dumped(wp, Dumped.of(frame));
                    case APP -> handle.deliver(wp.id, ch, Message.of(frame.read(JsonNode.class)));
                    case METRICS -> handle.metrics().accept(wp.id, wp.generation, frame);
                    default -> throw new MalformedFrameException("unexpected " + frame.type() + " frame from " + wp);
                }
            }

            @Override
            public void onClose(IpcChannel ch, Throwable cause) {
                if (wp != null) {
                    events.closed(wp, ch);
                }
            }
        });
        Thread.ofVirtual().name("cadre-ipc-hello-timeout").start(() -> {
            try {
                Thread.sleep(HELLO_TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (!authenticated.get() && channel.isOpen()) {
                log.warn("dropped an IPC connection that sent no valid hello within {} ms", HELLO_TIMEOUT_MILLIS);
                channel.close();
            }
        });
    }

    private WorkerProcess authenticate(Frame frame) throws MalformedFrameException {
        if (frame.type() != FrameType.HELLO) {
            throw new MalformedFrameException("the first frame must be HELLO, was " + frame.type());
        }
        Hello hello = Hello.of(frame);
        WorkerProcess wp = expected.remove(hello.token());
        if (wp == null || wp.id != hello.id() || wp.generation != hello.generation()) {
            throw new MalformedFrameException("HELLO with an unknown token for worker " + hello.id());
        }
        return wp;
    }
}
