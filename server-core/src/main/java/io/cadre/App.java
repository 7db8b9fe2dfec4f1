package io.cadre;

import io.cadre.internal.Settings;
import io.cadre.internal.worker.RouteSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A Cadre application: its routes, startup checks, hooks and defaults. Immutable; build one with
 * {@link #builder()} and pass it to {@link Cadre#run(App, String...)} from {@code main}. The same
 * {@code main} runs in the primary and in every worker, so building the app must not start work of
 * its own: put that in {@link Builder#onWorker} or {@link Builder#onPrimary}.
 */
public final class App {
    private static final Pattern OPTION_NAME = Pattern.compile("[a-z][a-z0-9-]*");

    private final CadreConfig config;
    private final List<RouteSpec> routes;
    private final Map<String, StartupCheck> startupChecks;
    private final List<Consumer<Primary>> primaryHooks;
    private final List<Consumer<Worker>> workerHooks;
    private final Map<String, String> options;

    private App(Builder b) {
        this.config = b.config;
        this.routes = List.copyOf(b.routes);
        this.startupChecks = Map.copyOf(new LinkedHashMap<>(b.startupChecks));
        this.primaryHooks = List.copyOf(b.primaryHooks);
        this.workerHooks = List.copyOf(b.workerHooks);
        this.options = Map.copyOf(b.options);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The app's defaults; the command line and the environment override them. */
    public CadreConfig config() {
        return config;
    }

    public List<RouteSpec> routes() {
        return routes;
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

    /** Builds an {@link App}. Not thread-safe; each method validates its input at once. */
    public static final class Builder {
        private CadreConfig config = CadreConfig.defaults();
        private final List<RouteSpec> routes = new ArrayList<>();
        private final LinkedHashMap<String, StartupCheck> startupChecks = new LinkedHashMap<>();
        private final List<Consumer<Primary>> primaryHooks = new ArrayList<>();
        private final List<Consumer<Worker>> workerHooks = new ArrayList<>();
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder() {
        }

        /** The app's defaults; see {@link CadreConfig} for what overrides them. */
        public Builder config(CadreConfig value) {
            this.config = Objects.requireNonNull(value, "config");
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
         * Adds a route for {@code method} and the exact {@code path}, run on {@code model}. A path
         * must start with {@code /}; {@code /health/live} and {@code /health/ready} belong to Cadre.
         * Fails with {@link IllegalArgumentException} on a clash with an earlier route.
         */
        public Builder route(String method, String path, ExecutionModel model, Handler handler) {
            RouteSpec spec = RouteSpec.of(method, path, model, handler);
            for (RouteSpec other : routes) {
                if (other.clashesWith(spec)) {
                    throw new IllegalArgumentException("route " + spec + " is declared twice");
                }
            }
            routes.add(spec);
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
