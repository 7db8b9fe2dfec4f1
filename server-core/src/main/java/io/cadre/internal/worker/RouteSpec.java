package io.cadre.internal.worker;

import io.cadre.ExecutionModel;
import io.cadre.Handler;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One declared route: method, exact path, execution model and handler. Validated when created.
 *
 * @param method the HTTP method in upper case
 * @param path the exact path, starting with {@code /}
 * @param model where the handler runs
 * @param handler the handler
 */
public record RouteSpec(String method, String path, ExecutionModel model, Handler handler) {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    /** Paths that Cadre serves on every worker. */
    public static final Set<String> RESERVED_PATHS = Set.of("/health/live", "/health/ready");

    public RouteSpec {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(model, "model");
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("unsupported HTTP method '" + method + "' for route " + path + "; use one of " + METHODS);
        }
        if (path == null || !path.startsWith("/") || path.contains("?") || path.contains("#") || path.contains("//")) {
            throw new IllegalArgumentException("route path must start with '/' and hold no '?', '#' or '//': " + path);
        }
        if (RESERVED_PATHS.contains(path)) {
            throw new IllegalArgumentException("route path " + path + " is served by Cadre itself");
        }
    }

    public static RouteSpec of(String method, String path, ExecutionModel model, Handler handler) {
        return new RouteSpec(method == null ? null : method.toUpperCase(Locale.ROOT), path, model, handler);
    }

    public boolean clashesWith(RouteSpec other) {
        return method.equals(other.method) && path.equals(other.path);
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
