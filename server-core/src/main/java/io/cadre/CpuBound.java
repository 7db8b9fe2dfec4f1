package io.cadre;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the route on the worker's bounded compute pool ({@link ExecutionModel#COMPUTE}), for
 * CPU-heavy handlers that must not stall the IO threads or starve I/O routes. When the route's
 * queue is full, or a request waited longer than {@link #queueTimeoutMillis()}, it answers 503 with
 * {@code Retry-After}; a request whose client has gone away is dropped before it runs. A value of
 * {@code -1} (the default) takes the pool's default for that setting (see docs/compute-pool.md).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CpuBound {
    /** The most requests of this route that run at once (capped at the pool's size). Default: the pool's size. */
    int maxConcurrency() default -1;

    /** The most requests of this route that wait for a thread; 0 means run now or refuse. Default: the pool's default. */
    int queue() default -1;

    /** The longest a request may wait before it is refused instead of run; at least 1. UNIT: ms. Default: the pool's. */
    long queueTimeoutMillis() default -1;
}
