package io.cadre;

/**
 * Turns an exception type of the app into a response. Registered with
 * {@link App.Builder#exceptionMapper}; the mapper of the most specific registered superclass wins.
 * Exceptions no mapper takes become a 500 problem response without detail (the stack trace is
 * logged, never sent).
 */
@FunctionalInterface
public interface ExceptionMapper<E extends Throwable> {
    Response toResponse(E exception, Request request);
}
