package io.cadre.samples;

import io.cadre.App;
import io.cadre.Cadre;

/**
 * The reference app (see docs/architecture.md): the routes that benchmarks and peer comparisons
 * use. Start it with {@code java -jar samples/target/cadre-samples.jar [--port P] [--workers N]}.
 */
public final class ReferenceApp {
    private ReferenceApp() {
    }

    public static App app() {
        return App.builder().routes(new ReferenceRoutes()).build();
    }

    public static void main(String[] args) {
        Cadre.run(app(), args);
    }
}
