package io.cadre;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the route on the Undertow IO thread ({@link ExecutionModel#IO}): for trivial handlers that
 * never block. A handler that blocks here stalls every connection of its IO thread, and the IO
 * watchdog logs it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface NonBlocking {
}
