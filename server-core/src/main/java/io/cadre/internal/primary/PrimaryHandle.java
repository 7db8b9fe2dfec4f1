package io.cadre.internal.primary;

import io.cadre.Message;
import io.cadre.Primary;
import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.FrameType;
import io.cadre.internal.ipc.IpcChannel;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Primary} that app code sees: the channels of ready workers, and the app's listeners. */
final class PrimaryHandle implements Primary {
    private static final Logger log = LoggerFactory.getLogger(PrimaryHandle.class);

    private final Map<String, String> options;
    private final ConcurrentSkipListMap<Integer, IpcChannel> ready = new ConcurrentSkipListMap<>();
    private final List<MessageListener> messageListeners = new CopyOnWriteArrayList<>();
    private final List<IntConsumer> readyListeners = new CopyOnWriteArrayList<>();
    /** The cluster's metrics (METRICS frames); off, and empty, unless the admin port is on. */
    private final io.cadre.internal.metrics.MetricsHub metrics = new io.cadre.internal.metrics.MetricsHub();

    PrimaryHandle(Map<String, String> options) {
        this.options = Map.copyOf(options);
    }

    /** The cluster's metrics: where METRICS frames go, and what the supervisor tells about restarts and the breaker. */
    io.cadre.internal.metrics.MetricsHub metrics() {
        return metrics;
    }

    /** The worker process whose message this thread's listener handles now: replies go to it. */
    private record Sender(int id, IpcChannel channel) {
    }

    private static final ThreadLocal<Sender> delivering = new ThreadLocal<>();

    @Override
    public boolean send(int workerId, Object message) {
        Frame frame = Frame.json(FrameType.APP, Message.of(message).json());
        Sender sender = delivering.get();
        // a reply from within a listener goes to the process that asked, ready or not: a booting
        // worker asking for its configuration, or the old or the new process of a slot mid-rollout
        IpcChannel channel = sender != null && sender.id() == workerId ? sender.channel() : ready.get(workerId);
        return channel != null && channel.send(frame);
    }

    @Override
    public int broadcast(Object message) {
        Frame frame = Frame.json(FrameType.APP, Message.of(message).json());
        int sent = 0;
        for (IpcChannel channel : ready.values()) {
            if (channel.send(frame)) {
                sent++;
            }
        }
        return sent;
    }

    /** Sends one of Cadre's own frames to every ready worker. */
    void broadcastFrame(Frame frame) {
        ready.values().forEach(c -> c.send(frame));
    }

    @Override
    public void onMessage(MessageListener listener) {
        messageListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void onWorkerReady(IntConsumer listener) {
        readyListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public List<Integer> readyWorkers() {
        return List.copyOf(ready.keySet());
    }

    @Override
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** A worker became ready; app listeners run on a virtual thread, never on the supervisor. */
    void workerReady(int id, IpcChannel channel) {
        ready.put(id, channel);
        if (!readyListeners.isEmpty()) {
            Thread.ofVirtual().name("cadre-app-ready-" + id).start(() -> {
                for (IntConsumer listener : readyListeners) {
                    try {
                        listener.accept(id);
                    } catch (RuntimeException e) {
                        log.error("worker-ready listener failed for worker {}", id, e);
                    }
                }
            });
        }
    }

    void workerGone(int id, IpcChannel channel) {
        if (channel != null) {
            ready.remove(id, channel);
        }
    }

    /** Delivers a message from worker {@code id}'s process on {@code from}; runs on that connection's app thread. */
    void deliver(int id, IpcChannel from, Message message) {
        delivering.set(new Sender(id, from));
        try {
            for (MessageListener listener : messageListeners) {
                try {
                    listener.onMessage(id, message);
                } catch (RuntimeException e) {
                    log.error("message listener failed on {} from worker {}", message, id, e);
                }
            }
        } finally {
            delivering.remove();
        }
    }
}
