package io.cadre.state;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits how often a route (or every route of a class) may be called per key, across every worker
 * and host that share the Redis: at most {@link #limit()} requests per key in each window of
 * {@link #windowSeconds()}. A request over the limit answers 429 with {@code Retry-After} and
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset}; every answer
 * the route gives carries the {@code RateLimit-*} headers (its {@code HttpException} error answers
 * too; not a 500 from an exception nothing mapped). Routes with the same {@link #name()} share one budget.
 * When Redis cannot be reached within the deadline, a limited route answers 503 (it fails closed),
 * unless {@link #failOpen()} lets it through unlimited.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimit {
    /** What a request is counted by. */
    enum Key {
        /** The client's IP address (the TCP peer; a proxy's {@code X-Forwarded-For} is not trusted). */
        IP,
        /**
         * The session id, for a request that brings a live session; a request without one (no
         * cookie, or an unknown or expired id) is counted by its client IP instead, as with
         * {@link #IP}: a session it would start is stored only if the route writes to it.
         */
        SESSION,
        /** The value of the header named by {@link #header()}; requests without it share one budget. */
        HEADER
    }

    /** The budget's name; defaults to the route's method and template. */
    String name() default "";

    /** Requests allowed per key and window. */
    int limit();

    /** The window's length. UNIT: seconds. Default: 60. */
    int windowSeconds() default 60;

    /** What a request is counted by. Default: {@link Key#IP}. */
    Key key() default Key.IP;

    /** The header for {@link Key#HEADER}. */
    String header() default "";

    /**
     * What happens when Redis cannot count the request: {@code false} (the default) answers 503 with
     * {@code Retry-After}, which protects what the limit guards (a login form, a costly API);
     * {@code true} lets the request through uncounted, which keeps a route up whose limit is only
     * about fairness. Every request let through this way is logged (at most once a second).
     */
    boolean failOpen() default false;
}
