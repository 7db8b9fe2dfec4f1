package io.cadre;

import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The primary process, as app code sees it (Node's {@code cluster} object in the primary). Obtained
 * from {@link App.Builder#onPrimary}. All methods are thread-safe and never block on a worker.
 */
public interface Primary {
    /**
     * Called with the sender's worker id and the message, on that worker connection's app-message
     * thread, one message at a time in the order they were sent (a listener that blocks holds back
     * only later messages of that worker, never its heartbeats).
     */
    @FunctionalInterface
    interface MessageListener {
        void onMessage(int workerId, Message message);
    }

    /**
     * Sends {@code message} (any Jackson-serializable value) to the ready worker with id
     * {@code workerId}; called from a {@link MessageListener} with the id of the message's sender,
     * to the very process that sent it, ready or not (a booting worker asking for its
     * configuration; the old or the new process of a slot during a rolling restart). Returns
     * {@code false} when there is no such worker or its queue is full.
     *
     * @throws IllegalArgumentException when {@code message} is not serializable as JSON, or is
     *     larger than 16 MiB as JSON
     */
    boolean send(int workerId, Object message);

    /**
     * Sends {@code message} to every ready worker; returns how many it was queued for. Throws as
     * {@link #send} does.
     */
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
