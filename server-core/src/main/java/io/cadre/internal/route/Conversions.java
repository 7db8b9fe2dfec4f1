package io.cadre.internal.route;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Converts path, query and header values to parameter types. A converter throws
 * {@link IllegalArgumentException} with a message that completes "must be ...". Resolved once per
 * parameter at startup.
 */
final class Conversions {
    private Conversions() {
    }

    /** A converter for {@code type}, or null when the type is not supported. */
    static Function<String, Object> converter(Class<?> type, Type generic) {
        if (type == Optional.class) {
            if (!(generic instanceof ParameterizedType p) || !(p.getActualTypeArguments()[0] instanceof Class<?> inner)) {
                return null;
            }
            Function<String, Object> element = converter(inner, inner);
            return element == null ? null : element.andThen(Optional::ofNullable);
        }
        if (type == String.class) {
            return s -> s;
        }
        if (type == int.class || type == Integer.class) {
            return s -> parse(s, "an integer", Integer::valueOf);
        }
        if (type == long.class || type == Long.class) {
            return s -> parse(s, "an integer", Long::valueOf);
        }
        if (type == double.class || type == Double.class) {
            return s -> parse(s, "a number", Double::valueOf);
        }
        if (type == boolean.class || type == Boolean.class) {
            return s -> switch (s.toLowerCase(Locale.ROOT)) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("true or false");
            };
        }
        if (type == UUID.class) {
            return s -> parse(s, "a UUID", UUID::fromString);
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return s -> {
                for (Object c : constants) {
                    if (((Enum<?>) c).name().equalsIgnoreCase(s)) {
                        return c;
                    }
                }
                StringBuilder names = new StringBuilder();
                for (Object c : constants) {
                    names.append(names.isEmpty() ? "" : ", ").append(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
                }
                throw new IllegalArgumentException("one of " + names);
            };
        }
        return null;
    }

    /** The value for an absent parameter of {@code type} without a default. */
    static Object absent(Class<?> type) {
        return type == Optional.class ? Optional.empty() : null;
    }

    private static Object parse(String s, String what, Function<String, Object> parser) {
        try {
            return parser.apply(s.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what);
        }
    }
}
