package io.cadre;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a parameter to the first value of request header {@link #value()} (case-insensitive),
 * converted and defaulted as {@link QueryParam} describes.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface HeaderParam {
    String value();

    /** The value used when the header is absent. */
    String defaultValue() default QueryParam.NO_DEFAULT;
}
