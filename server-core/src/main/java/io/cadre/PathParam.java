package io.cadre;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a parameter to the {@code {name}} segment of the route's path template, converted to the
 * parameter's type (see {@link QueryParam} for the types). A name missing from the template stops
 * startup; a segment that does not convert answers 400 naming the parameter.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface PathParam {
    String value();
}
