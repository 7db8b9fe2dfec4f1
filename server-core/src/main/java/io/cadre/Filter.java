package io.cadre;

/**
 * Runs around the routes (authentication, logging, headers). Filters run in the order they were
 * added, the first outermost: each may act before calling {@code next.proceed()}, act on or replace
 * the result after it, or answer without calling it at all (return a {@link Response}, or throw).
 * They run on the route's own thread (its {@link ExecutionModel}), after the route was found and
 * before its parameters are bound (binding happens inside the route's handler, at the end of the
 * chain), so a filter can refuse a request before its body is parsed; they do not run for 404, 405
 * or malformed requests.
 */
@FunctionalInterface
public interface Filter {
    /** The rest of the chain: the next filter, or the route itself. */
    @FunctionalInterface
    interface Chain {
        Object proceed() throws Exception;
    }

    Object filter(Request request, Chain next) throws Exception;
}
