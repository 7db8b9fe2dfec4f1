package io.cadre;

import java.lang.annotation.Annotation;
import java.util.Map;
import java.util.Optional;

/**
 * The route a request matched, as filters see it: for rules keyed on a route's own annotations
 * (a rate limit, a role). Immutable.
 *
 * @param method the HTTP method it was declared for
 * @param template its path template, e.g. {@code /users/{id}}
 * @param source who declared it, e.g. {@code UserRoutes.get(long)}
 * @param model where it runs
 * @param annotations the annotations of its method and class (the method's win), by type
 */
public record RouteInfo(String method, String template, String source, ExecutionModel model,
        Map<Class<? extends Annotation>, Annotation> annotations) {

    public RouteInfo {
        annotations = Map.copyOf(annotations);
    }

    /** The route's annotation of {@code type}, from its method or else its class. */
    public <A extends Annotation> Optional<A> annotation(Class<A> type) {
        return Optional.ofNullable(type.cast(annotations.get(type)));
    }
}
