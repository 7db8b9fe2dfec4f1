package io.cadre;

import io.cadre.internal.Settings;
import io.cadre.internal.route.RouteScanner;
import io.cadre.internal.route.RouteSpec;
import io.cadre.internal.route.RouteTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A Cadre application: its routes, filters, exception mappers, startup checks, hooks and defaults.
 * Immutable; build one with {@link #builder()} and pass it to {@link Cadre#run(App, String...)} from
 * {@code main}. The same {@code main} runs in the primary and in every worker, so building the app
 * must not start work of its own: put that in {@link Builder#onWorker} or {@link Builder#onPrimary}.
 *
 * <p>Mistakes in declaring routes (a clash, a bad template, an annotation used wrongly) do not throw
 * from the builder: they are collected in {@link #problems()}, and {@link Cadre#run} refuses to
 * start with one line per problem, naming the method.
 */
public final class App {
    private static final Pattern OPTION_NAME = Pattern.compile("[a-z][a-z0-9-]*");

    private final CadreConfig config;
    private final List<RouteSpec> routes;
    private final List<Filter> filters;
    private final Map<Class<? extends Throwable>, ExceptionMapper<?>> exceptionMappers;
    private final Map<String, StartupCheck> startupChecks;
    private final List<Consumer<Primary>> primaryHooks;
    private final List<Consumer<Worker>> workerHooks;
    private final Map<String, String> options;
    private final List<Extension> extensions;
    private final List<String> problems;

    private App(Builder b) {
        this.config = b.config;
        this.extensions = List.copyOf(b.extensions);
        List<String> found = new ArrayList<>(b.problems);
        Map<Class<?>, java.util.function.Function<Request, Object>> provided = new LinkedHashMap<>();
        List<Filter> allFilters = new ArrayList<>();
        for (Extension e : extensions) {
            provided.putAll(e.parameters());
            allFilters.addAll(e.filters());
        }
        allFilters.addAll(b.filters);
        List<RouteSpec> resolved = new ArrayList<>();
        for (Object source : b.routes) {
            if (source instanceof RouteSpec spec) {
                resolved.add(spec);
            } else {
                try {
                    resolved.addAll(RouteScanner.scan(source, provided));
                } catch (IllegalArgumentException e) {
                    found.add(e.getMessage());
                }
            }
        }
        this.routes = List.copyOf(resolved);
        this.filters = List.copyOf(allFilters);
        this.exceptionMappers = Map.copyOf(b.exceptionMappers);
        this.startupChecks = Map.copyOf(new LinkedHashMap<>(b.startupChecks));
        this.primaryHooks = List.copyOf(b.primaryHooks);
        this.workerHooks = List.copyOf(b.workerHooks);
        this.options = Map.copyOf(b.options);
        try {
            new RouteTable(routes);
        } catch (IllegalArgumentException e) {
            found.add(e.getMessage());
        }
        this.problems = List.copyOf(found);
    }

    public static Builder builder() {
        io.cadre.internal.worker.Warmup.startIfWorker(); // overlaps the app's own setup in a worker's boot
        return new Builder();
    }

    /** The app's defaults; the command line and the environment override them. */
    public CadreConfig config() {
        return config;
    }

    /** The routes, in declaration order. For Cadre's own use. */
    public List<RouteSpec> routes() {
        return routes;
    }

    /** The extensions, in registration order. */
    public List<Extension> extensions() {
        return extensions;
    }

    /** The filters, outermost first: the extensions' filters, then the app's. */
    public List<Filter> filters() {
        return filters;
    }

    /** The exception mappers by the exception type they take. */
    public Map<Class<? extends Throwable>, ExceptionMapper<?>> exceptionMappers() {
        return exceptionMappers;
    }

    /** Startup checks by name, in the order they were added. */
    public List<Map.Entry<String, StartupCheck>> startupChecks() {
        return startupChecks.entrySet().stream().toList();
    }

    public List<Consumer<Primary>> primaryHooks() {
        return primaryHooks;
    }

    public List<Consumer<Worker>> workerHooks() {
        return workerHooks;
    }

    /** App options accepted on the command line ({@code --name VALUE}), with their descriptions. */
    public Map<String, String> options() {
        return options;
    }

    /** What is wrong with the routes as declared, one message each; empty when the app can start. */
    public List<String> problems() {
        return problems;
    }

    /** Builds an {@link App}. Not thread-safe. */
    public static final class Builder {
        private CadreConfig config = CadreConfig.defaults();
        private final List<Object> routes = new ArrayList<>(); // RouteSpecs, and route objects scanned in build()
        private final List<Filter> filters = new ArrayList<>();
        private final List<Extension> extensions = new ArrayList<>();
        private final Map<Class<? extends Throwable>, ExceptionMapper<?>> exceptionMappers = new LinkedHashMap<>();
        private final LinkedHashMap<String, StartupCheck> startupChecks = new LinkedHashMap<>();
        private final List<Consumer<Primary>> primaryHooks = new ArrayList<>();
        private final List<Consumer<Worker>> workerHooks = new ArrayList<>();
        private final Map<String, String> options = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        /** The app's defaults; see {@link CadreConfig} for what overrides them. */
        public Builder config(CadreConfig value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        /**
         * Adds every route of an annotated route object: methods annotated with {@link GET},
         * {@link POST}, {@link PUT}, {@link DELETE} or {@link PATCH}, below the class's {@link Path}
         * prefix. Resolved once, in {@link #build()}, into generated invokers; parameters may be of
         * the types the app's extensions supply.
         */
        public Builder routes(Object routeObject) {
            routes.add(Objects.requireNonNull(routeObject, "routeObject"));
            return this;
        }

        /**
         * Plugs in an {@link Extension}: its options join the app's, its filters run outside the
         * app's, and route methods may take the parameter types it supplies.
         */
        public Builder extension(Extension extension) {
            Objects.requireNonNull(extension, "extension");
            extensions.add(extension);
            for (Map.Entry<String, String> o : extension.options().entrySet()) {
                option(o.getKey(), o.getValue());
            }
            return this;
        }

        public Builder get(String path, Handler handler) {
            return route("GET", path, handler);
        }

        /** A GET route that runs on {@code model}; see {@link ExecutionModel}. */
        public Builder get(String path, ExecutionModel model, Handler handler) {
            return route("GET", path, model, handler);
        }

        public Builder post(String path, Handler handler) {
            return route("POST", path, handler);
        }

        public Builder put(String path, Handler handler) {
            return route("PUT", path, handler);
        }

        public Builder delete(String path, Handler handler) {
            return route("DELETE", path, handler);
        }

        public Builder patch(String path, Handler handler) {
            return route("PATCH", path, handler);
        }

        /** A route that runs on a virtual thread ({@link ExecutionModel#WORKER}). */
        public Builder route(String method, String path, Handler handler) {
            return route(method, path, ExecutionModel.WORKER, handler);
        }

        /**
         * Adds a route for {@code method} and the path template {@code path} (literal segments and
         * {@code {name}} segments, read with {@link Request#pathParam}), run on {@code model}.
         * {@code /health/live} and {@code /health/ready} belong to Cadre.
         */
        public Builder route(String method, String path, ExecutionModel model, Handler handler) {
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(model, "model");
            try {
                routes.add(RouteSpec.of(method, path, model, handler));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            return this;
        }

        /** Adds a filter around every route; filters run in the order added, the first outermost. */
        public Builder filter(Filter filter) {
            filters.add(Objects.requireNonNull(filter, "filter"));
            return this;
        }

        /**
         * Maps exceptions of {@code type} (and its subclasses, unless a more specific mapper exists)
         * to responses. Without a mapper, an app exception is a 500 with no detail.
         */
        public <E extends Throwable> Builder exceptionMapper(Class<E> type, ExceptionMapper<? super E> mapper) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(mapper, "mapper");
            if (exceptionMappers.putIfAbsent(type, mapper) != null) {
                throw new IllegalArgumentException("exception mapper for " + type.getName() + " is declared twice");
            }
            return this;
        }

        /** Adds a check that every worker runs before it binds; see {@link StartupCheck}. */
        public Builder startupCheck(String name, StartupCheck check) {
            Objects.requireNonNull(check, "check");
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a startup check needs a name");
            }
            if (startupChecks.putIfAbsent(name, check) != null) {
                throw new IllegalArgumentException("startup check '" + name + "' is declared twice");
            }
            return this;
        }

        /** Runs {@code hook} in the primary before the first worker is forked. */
        public Builder onPrimary(Consumer<Primary> hook) {
            primaryHooks.add(Objects.requireNonNull(hook, "hook"));
            return this;
        }

        /** Runs {@code hook} in each worker after its startup checks, before it binds the port. */
        public Builder onWorker(Consumer<Worker> hook) {
            workerHooks.add(Objects.requireNonNull(hook, "hook"));
            return this;
        }

        /**
         * Declares an app option accepted on the command line as {@code --name VALUE}; read it with
         * {@link Worker#option} or {@link Primary#option}. Names are lower case with dashes.
         */
        public Builder option(String name, String description) {
            if (name == null || !OPTION_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("option name must match " + OPTION_NAME + ", was " + name);
            }
            if (Settings.CADRE_OPTIONS.containsKey(name) || name.equals("help") || options.containsKey(name)) {
                throw new IllegalArgumentException("option --" + name + " is already declared");
            }
            options.put(name, Objects.requireNonNull(description, "description"));
            return this;
        }

        public App build() {
            return new App(this);
        }
    }
}
