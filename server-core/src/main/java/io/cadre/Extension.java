package io.cadre;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A module that plugs into Cadre (the state module is one): it may start a service in the primary
 * and tell workers about it through their environment, connect in each worker, put filters around
 * every route, and let route methods take parameters of its own types. Register it with
 * {@link App.Builder#extension}. Like the app, an extension object is built in every process; it
 * must not start work before {@code startPrimary} or {@code startWorker} is called.
 *
 * <p>Order: extensions start in the order they were registered and stop in reverse order; their
 * filters run outside the app's own filters, in registration order.
 */
public interface Extension {
    /** A short name for logs, e.g. {@code "state"}. */
    String name();

    /**
     * Command-line options this extension reads, as {@code --name VALUE}, with their descriptions.
     * Each is also read from the environment as {@code CADRE_NAME} (upper case, dashes to
     * underscores); the command line wins.
     */
    default Map<String, String> options() {
        return Map.of();
    }

    /**
     * Called in the primary before the first worker is forked. Returns what workers must know
     * (environment variables) and a short description for the startup line; an exception stops
     * the primary with its message.
     */
    default Started startPrimary(ExtensionContext context) throws Exception {
        return Started.NOTHING;
    }

    /** Called in each worker after its startup checks, before its hooks and before it binds. */
    default void startWorker(ExtensionContext context) throws Exception {
    }

    /**
     * Called in each worker once it serves and has told the primary it is ready: the place for
     * work that should be done ahead of the first request but must not delay readiness, such as
     * opening connections (on a small machine every millisecond of CPU spent during a worker's
     * boot delays it). Must not block; an exception is logged and otherwise ignored.
     */
    default void workerReady() {
    }

    /** Filters around every route, outermost first; they run outside the app's filters. */
    default List<Filter> filters() {
        return List.of();
    }

    /**
     * Parameter types route methods may declare that this extension supplies, with how to get the
     * value from a request (called on the route's thread).
     */
    default Map<Class<?>, Function<Request, Object>> parameters() {
        return Map.of();
    }

    /** Releases what {@code startPrimary} or {@code startWorker} took; called once, at exit. */
    default void stop() {
    }

    /**
     * What {@link #startPrimary} started.
     *
     * @param workerEnvironment environment variables every worker gets
     * @param description a few words for the startup line, e.g. {@code "redis embedded 7.0.15"};
     *     empty for none
     */
    record Started(Map<String, String> workerEnvironment, String description) {
        public static final Started NOTHING = new Started(Map.of(), "");

        public Started {
            workerEnvironment = Map.copyOf(workerEnvironment);
        }
    }
}
