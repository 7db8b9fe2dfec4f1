package io.cadre;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a parameter to the first value of query parameter {@link #value()}, converted to the
 * parameter's type: {@code String}, {@code int}/{@code Integer}, {@code long}/{@code Long},
 * {@code double}/{@code Double}, {@code boolean}/{@code Boolean} ({@code true}/{@code false}),
 * an enum (by constant name, case-insensitive), {@code UUID}, or {@code Optional} of one of these.
 * When the parameter is absent, {@link #defaultValue()} is used if given; otherwise a primitive
 * answers 400 and anything else is {@code null} (or an empty {@code Optional}). A value that does
 * not convert answers 400 naming the parameter.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface QueryParam {
    /** Marks "no default value". */
    String NO_DEFAULT = "\u0000cadre-no-default";

    String value();

    /** The value used when the parameter is absent, converted like a given one. */
    String defaultValue() default NO_DEFAULT;
}
