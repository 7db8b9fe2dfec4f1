package io.cadre.internal.route;

import io.cadre.ExecutionModel;
import io.cadre.Handler;
import io.cadre.RouteInfo;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One declared route: method, path template, execution model, handler, and where it was declared
 * (for logs and startup errors). Annotated routes compile down to this too, so both kinds share
 * one request path. Validated when created.
 *
 * @param method the HTTP method in upper case
 * @param template the path template
 * @param model where the handler runs
 * @param compute the compute-pool limits of a {@link ExecutionModel#COMPUTE} route, else null
 * @param handler the handler
 * @param source who declared the route, e.g. {@code UserRoutes.get(long)}
 * @param info what filters see of the route (built from the rest, with the annotations)
 */
public record RouteSpec(String method, PathTemplate template, ExecutionModel model, ComputeOptions compute, Handler handler,
        String source, RouteInfo info) {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    /** Paths that Cadre serves on every worker. */
    public static final Set<String> RESERVED_PATHS = Set.of("/health/live", "/health/ready");

    /**
     * A COMPUTE route's limits; a value of -1 takes the pool's default.
     *
     * @param maxConcurrency the most requests of the route that run at once
     * @param queue the most that wait
     * @param queueTimeoutMillis the longest one waits before it is refused. UNIT: ms
     */
    public record ComputeOptions(int maxConcurrency, int queue, long queueTimeoutMillis) {
        public static final ComputeOptions DEFAULTS = new ComputeOptions(-1, -1, -1);

        public ComputeOptions {
            if (maxConcurrency == 0 || maxConcurrency < -1) {
                throw new IllegalArgumentException("@CpuBound maxConcurrency must be at least 1 (or -1 for the pool's default), was " + maxConcurrency);
            }
            if (queue < -1) {
                throw new IllegalArgumentException("@CpuBound queue must be at least 0 (or -1 for the pool's default), was " + queue);
            }
            if (queueTimeoutMillis == 0 || queueTimeoutMillis < -1) {
                throw new IllegalArgumentException("@CpuBound queueTimeoutMillis must be at least 1 (or -1 for the pool's default), was "
                        + queueTimeoutMillis);
            }
        }
    }

    public RouteSpec {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(source, "source");
        if (method == null || !METHODS.contains(method)) {
            throw new IllegalArgumentException("unsupported HTTP method '" + method + "' for route " + template + " (" + source
                    + "); use one of " + METHODS);
        }
        if (RESERVED_PATHS.contains(template.toString())) {
            throw new IllegalArgumentException("route path " + template + " (" + source + ") is served by Cadre itself");
        }
        if ((model == ExecutionModel.COMPUTE) != (compute != null)) {
            throw new IllegalArgumentException("compute options go with the COMPUTE model and only with it (" + source + ")");
        }
        Objects.requireNonNull(info, "info");
    }

    /** A route with these parts and annotations. */
    public static RouteSpec of(String method, PathTemplate template, ExecutionModel model, ComputeOptions compute, Handler handler,
            String source, java.util.Map<Class<? extends java.lang.annotation.Annotation>, java.lang.annotation.Annotation> annotations) {
        return new RouteSpec(method, template, model, compute, handler, source,
                new RouteInfo(method, template.toString(), source, model, annotations));
    }

    /** A route declared with the programmatic API. */
    public static RouteSpec of(String method, String path, ExecutionModel model, Handler handler) {
        String m = method == null ? null : method.toUpperCase(Locale.ROOT);
        ComputeOptions compute = model == ExecutionModel.COMPUTE ? ComputeOptions.DEFAULTS : null;
        return of(m, PathTemplate.parse(path), model, compute, handler,
                "App.Builder." + (m == null ? "route" : m.toLowerCase(Locale.ROOT)) + "(\"" + path + "\")", java.util.Map.of());
    }

    /** Whether a request could match both routes: the same method and the same template shape. */
    public boolean clashesWith(RouteSpec other) {
        return method.equals(other.method) && template.shape().equals(other.template.shape());
    }

    @Override
    public String toString() {
        return method + " " + template;
    }
}
