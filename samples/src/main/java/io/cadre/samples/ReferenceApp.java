package io.cadre.samples;

import io.cadre.App;
import io.cadre.Cadre;
import io.cadre.ExecutionModel;

/**
 * The reference app (see docs/architecture.md): the routes that benchmarks and peer comparisons
 * use. Start it with {@code java -jar samples/target/cadre-samples.jar [--port P] [--workers N]}.
 */
public final class ReferenceApp {
    private ReferenceApp() {
    }

    public static App app() {
        return App.builder()
                .get("/plaintext", ExecutionModel.IO, req -> "Hello, World!")
                .get("/json", ExecutionModel.IO, req -> new Greeting("Hello, World!"))
                .get("/whoami", req -> new WhoAmI(req.worker().id(), req.worker().pid(), req.worker().generation()))
                .build();
    }

    /** What {@code /json} answers. */
    public record Greeting(String message) {
    }

    /** What {@code /whoami} answers: which worker served the request. */
    public record WhoAmI(int worker, long pid, int generation) {
    }

    public static void main(String[] args) {
        Cadre.run(app(), args);
    }
}
