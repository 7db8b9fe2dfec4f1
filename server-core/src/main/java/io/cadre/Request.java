package io.cadre;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One HTTP request as a route handler (or filter) sees it. Valid only while the request is served;
 * not thread-safe: filters and the handler run on one thread, one after the other.
 */
public interface Request {
    /** The HTTP method in upper case, e.g. {@code GET}. */
    String method();

    /** The decoded request path, without the query string. */
    String path();

    /** The value of path parameter {@code name} of the route's template, or {@code null}. */
    String pathParam(String name);

    /** The first value of query parameter {@code name}, or {@code null} when absent. */
    String query(String name);

    /** Every value of query parameter {@code name}, in order; empty when absent. */
    List<String> queryAll(String name);

    /** The first value of header {@code name} (case-insensitive), or {@code null} when absent. */
    String header(String name);

    /** The request body, read in full before the handler was called; empty when there is none. */
    byte[] body();

    /** The request body decoded as UTF-8. */
    String bodyText();

    /** The address of the client (the peer of the TCP connection). */
    InetSocketAddress remoteAddress();

    /** The worker serving this request. */
    Worker worker();

    /** The route this request matched. */
    RouteInfo route();

    /** A value a filter or extension attached to this request, or {@code null}. */
    Object attribute(String name);

    /** Attaches {@code value} to this request under {@code name}, for later filters and the handler. */
    void attribute(String name, Object value);
}
