package io.cadre;

import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The primary process, as app code sees it (Node's {@code cluster} object in the primary). Obtained
 * from {@link App.Builder#onPrimary}. All methods are thread-safe and never block on a worker.
 */
public interface Primary {
    /** Called with the sender's worker id and the message, on that worker's IPC reader thread. */
    @FunctionalInterface
    interface MessageListener {
        void onMessage(int workerId, Message message);
    }

    /**
     * Sends {@code message} (any Jackson-serializable value) to the worker with id {@code workerId}.
     * Returns {@code false} when that worker is not connected or its queue is full.
     */
    boolean send(int workerId, Object message);

    /** Sends {@code message} to every connected worker; returns how many it was queued for. */
    int broadcast(Object message);

    /** Registers a listener for messages from any worker. */
    void onMessage(MessageListener listener);

    /** Registers a listener called each time a worker (first start or replacement) becomes ready. */
    void onWorkerReady(IntConsumer listener);

    /** The ids of the workers that are ready now, in ascending order. */
    List<Integer> readyWorkers();

    /** The value of an app option declared with {@link App.Builder#option} and given on the command line. */
    Optional<String> option(String name);
}
