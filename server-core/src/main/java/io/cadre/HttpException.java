package io.cadre;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Thrown by a handler (or filter) to answer with an error status: it becomes an
 * {@code application/problem+json} response with that status, this message as its detail, and
 * the given headers (e.g. {@code Retry-After}). The message is sent to the client; do not put
 * secrets in it. Carries no stack trace: it is an answer, not a failure.
 */
public class HttpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final transient List<Map.Entry<String, String>> headers;

    public HttpException(int status, String detail) {
        this(status, detail, List.of());
    }

    /** An error answer with extra response headers, in order. */
    public HttpException(int status, String detail, List<Map.Entry<String, String>> headers) {
        super(detail, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an HttpException needs a 4xx or 5xx status, was " + status);
        }
        this.status = status;
        this.headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
        for (Map.Entry<String, String> h : this.headers) {
            Response.check(h.getKey(), h.getValue());
        }
    }

    public int status() {
        return status;
    }

    /** The extra response headers. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }
}
