package io.cadre;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A response with a status, headers and a body, for handlers that need more than a return value.
 * Immutable: every {@code with...} method returns a new instance.
 *
 * <p>The body is one of: {@code null} (no body), a {@code String} (UTF-8), a {@code byte[]}, or any
 * other value, written as JSON with Jackson.
 */
public final class Response {
    private final int status;
    private final Map<String, String> headers;
    private final Object body;

    private Response(int status, Map<String, String> headers, Object body) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 100..599, was " + status);
        }
        this.status = status;
        this.headers = Map.copyOf(headers);
        this.body = body;
    }

    /** A response with {@code status} and no body. */
    public static Response status(int status) {
        return new Response(status, Map.of(), null);
    }

    /**
     * 200 with {@code body} written as a handler's return value would be: text for a
     * {@code String}, bytes for a {@code byte[]}, JSON for anything else.
     */
    public static Response ok(Object body) {
        return new Response(200, Map.of(), Objects.requireNonNull(body, "body"));
    }

    /**
     * A handler's return value as a response, for filters that change it: a {@code Response} as it
     * is, {@code null} as 204, anything else as {@link #ok(Object)}.
     */
    public static Response from(Object result) {
        if (result instanceof Response response) {
            return response;
        }
        return result == null ? status(204) : ok(result);
    }

    /** 200 with a {@code text/plain; charset=UTF-8} body. */
    public static Response text(String text) {
        return new Response(200, Map.of("Content-Type", "text/plain; charset=UTF-8"), Objects.requireNonNull(text, "text"));
    }

    /** 200 with {@code value} written as JSON. */
    public static Response json(Object value) {
        return new Response(200, Map.of("Content-Type", "application/json"), Objects.requireNonNull(value, "value"));
    }

    /** 200 with {@code bytes} as {@code application/octet-stream}. */
    public static Response bytes(byte[] bytes) {
        return new Response(200, Map.of("Content-Type", "application/octet-stream"), Objects.requireNonNull(bytes, "bytes"));
    }

    /** This response with another status. */
    public Response withStatus(int newStatus) {
        return new Response(newStatus, headers, body);
    }

    /** This response with another body (see the class description for the kinds of body). */
    public Response withBody(Object newBody) {
        return new Response(status, headers, newBody);
    }

    /** This response with header {@code name} set to {@code value} (replacing an earlier value). */
    public Response withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isBlank() || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("invalid header " + name);
        }
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        copy.put(name, value);
        return new Response(status, copy, body);
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Object body() {
        return body;
    }

    /** The body as bytes when it is text or bytes; {@code null} for JSON values and empty bodies. */
    public byte[] rawBody() {
        if (body instanceof byte[] b) {
            return b;
        }
        if (body instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + headers + "]";
    }
}
