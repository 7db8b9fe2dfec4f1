package io.cadre;

/**
 * Handles one request of a route.
 *
 * <p>What the return value becomes: a {@link Response} is sent as it is; a {@code String} is sent as
 * {@code text/plain; charset=UTF-8}; a {@code byte[]} as {@code application/octet-stream};
 * {@code null} is {@code 204 No Content}; anything else (records, maps, lists) is written as JSON
 * with Jackson. An exception becomes a {@code 500} problem response ({@code application/problem+json})
 * that carries no stack trace; the trace goes to the worker's log.
 *
 * <p>Threads: ordinary routes run on a virtual thread of their own (named {@code cadre-vt-N}), so the
 * handler may block on I/O. The request body has been read in full before the handler is called.
 */
@FunctionalInterface
public interface Handler {
    Object handle(Request request) throws Exception;
}
