package io.cadre;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a route class as the handler of HTTP PATCH requests to {@link #value()}, a path
 * template below the class's {@link Path} prefix (if any): literal segments and {@code {name}}
 * segments bound with {@link PathParam}, e.g. {@code "/{id}/orders"}. See {@link App.Builder#routes}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface PATCH {
    /** The path template below the class prefix; empty means the prefix itself. */
    String value() default "";
}
