package io.cadre.internal.worker;

import io.cadre.Message;
import io.cadre.Worker;
import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.FrameType;
import io.cadre.internal.ipc.IpcChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Worker} that app code sees; messages go over the worker's IPC channel. */
final class WorkerHandle implements Worker {
    /** Resolved on first use: a worker's boot must not wait for the logging backend (see {@code Warmup}). */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(WorkerHandle.class);
    }

    private final int id;
    private final int generation;
    private final Map<String, String> options;
    private final List<Consumer<Message>> listeners = new CopyOnWriteArrayList<>();
    private volatile IpcChannel channel;

    WorkerHandle(int id, int generation, Map<String, String> options) {
        this.id = id;
        this.generation = generation;
        this.options = Map.copyOf(options);
    }

    void attach(IpcChannel ipc) {
        this.channel = ipc;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public int generation() {
        return generation;
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public boolean send(Object message) {
        IpcChannel ipc = channel;
        return ipc != null && ipc.send(Frame.json(FrameType.APP, Message.of(message).json()));
    }

    @Override
    public void onMessage(Consumer<Message> listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** Delivers a message from the primary to the listeners; called on the IPC connection's app-message thread. */
    void deliver(Message message) {
        for (Consumer<Message> listener : listeners) {
            try {
                listener.accept(message);
            } catch (RuntimeException e) {
                Log.log.error("message listener failed on {}", message, e);
            }
        }
    }
}
