package io.cadre;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The worker process this code runs in, as app code sees it (Node's {@code process} inside a
 * cluster worker). Obtained from {@link App.Builder#onWorker} or {@link Request#worker()}.
 * All methods are thread-safe.
 */
public interface Worker {
    /** The worker's slot number, 1..N; a replacement worker keeps the id of the one it replaces. */
    int id();

    /** How many workers have held this slot, counting this one (1 for the first). */
    int generation();

    /** This process's pid. */
    long pid();

    /**
     * Sends {@code message} (any Jackson-serializable value) to the primary. Never blocks: the
     * message is queued for the IPC writer. Returns {@code false} when the queue is full or the
     * channel to the primary is closed, in which case the message is dropped.
     */
    boolean send(Object message);

    /**
     * Registers a listener for messages from the primary (sent to this worker or broadcast). It is
     * called on the IPC connection's app-message thread, in the order the primary sent them; a
     * slow listener delays the messages behind it, never the HTTP server or the heartbeats.
     */
    void onMessage(Consumer<Message> listener);

    /** The value of an app option declared with {@link App.Builder#option} and given on the command line. */
    Optional<String> option(String name);
}
