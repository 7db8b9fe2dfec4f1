package io.cadre;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A response with a status, headers and a body, for handlers (and filters) that need more than a
 * return value. Immutable: every {@code with...} method returns a new instance.
 *
 * <p>The body is one of: {@code null} (no body), a {@code String} (UTF-8), a {@code byte[]}, or any
 * other value, written as JSON with Jackson. A header may have several values ({@link #addHeader},
 * e.g. two {@code Set-Cookie}); names are case-insensitive.
 */
public final class Response {
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final Object body;

    private Response(int status, List<Map.Entry<String, String>> headers, Object body) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 100..599, was " + status);
        }
        this.status = status;
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    private static Response of(int status, String contentType, Object body) {
        return new Response(status, contentType == null ? List.of() : List.of(Map.entry("Content-Type", contentType)), body);
    }

    /** A response with {@code status} and no body. */
    public static Response status(int status) {
        return of(status, null, null);
    }

    /**
     * 200 with {@code body} written as a handler's return value would be: text for a
     * {@code String}, bytes for a {@code byte[]}, JSON for anything else.
     */
    public static Response ok(Object body) {
        return of(200, null, Objects.requireNonNull(body, "body"));
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
        return of(200, "text/plain; charset=UTF-8", Objects.requireNonNull(text, "text"));
    }

    /** 200 with {@code value} written as JSON. */
    public static Response json(Object value) {
        return of(200, "application/json", Objects.requireNonNull(value, "value"));
    }

    /** 200 with {@code bytes} as {@code application/octet-stream}. */
    public static Response bytes(byte[] bytes) {
        return of(200, "application/octet-stream", Objects.requireNonNull(bytes, "bytes"));
    }

    /** This response with another status. */
    public Response withStatus(int newStatus) {
        return new Response(newStatus, headers, body);
    }

    /** This response with another body (see the class description for the kinds of body). */
    public Response withBody(Object newBody) {
        return new Response(status, headers, newBody);
    }

    /** This response with header {@code name} set to {@code value}, replacing every earlier value. */
    public Response withHeader(String name, String value) {
        check(name, value);
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers);
        copy.removeIf(h -> h.getKey().equalsIgnoreCase(name));
        copy.add(Map.entry(name, value));
        return new Response(status, copy, body);
    }

    /** This response with one more value of header {@code name}, after the ones it has. */
    public Response addHeader(String name, String value) {
        check(name, value);
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers);
        copy.add(Map.entry(name, value));
        return new Response(status, copy, body);
    }

    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /** A header name must be an HTTP token and a value must not break the line (RFC 9110, 5.1 and 5.5). */
    static void check(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!TOKEN.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid header name '" + name + "': it must be an HTTP token");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("invalid header " + name + ": its value holds a line break");
        }
    }

    public int status() {
        return status;
    }

    /** Each header's first value, by name as given. */
    public Map<String, String> headers() {
        Map<String, String> first = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : headers) {
            first.putIfAbsent(h.getKey(), h.getValue());
        }
        return first;
    }

    /** Every header value, in order. */
    public List<Map.Entry<String, String>> headerValues() {
        return headers;
    }

    /** The first value of header {@code name} (case-insensitive), or {@code null}. */
    public String header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().toLowerCase(Locale.ROOT).equals(lower)) {
                return h.getValue();
            }
        }
        return null;
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
