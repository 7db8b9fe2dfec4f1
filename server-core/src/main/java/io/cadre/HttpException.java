package io.cadre;

/**
 * Thrown by a handler (or filter) to answer with an error status: it becomes an
 * {@code application/problem+json} response with that status and this message as its detail.
 * The message is sent to the client; do not put secrets in it.
 */
public class HttpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public HttpException(int status, String detail) {
        super(detail, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an HttpException needs a 4xx or 5xx status, was " + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }
}
