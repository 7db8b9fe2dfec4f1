package io.cadre;

/**
 * Where a route's handler runs; chosen per route. See docs/execution-models.md for which to pick.
 */
public enum ExecutionModel {
    /**
     * On the Undertow IO thread that read the request: the cheapest, for trivial handlers that
     * never block (no I/O, no locks, no sleeps). A blocking handler here stalls every connection
     * of that IO thread.
     */
    IO,
    /** On a virtual thread of its own (the default): for ordinary code that blocks on I/O. */
    WORKER,
    /**
     * On the worker's bounded compute pool ({@code @CpuBound}): for CPU-heavy handlers. A full
     * queue answers 503 with {@code Retry-After} instead of queueing without end.
     */
    COMPUTE
}
