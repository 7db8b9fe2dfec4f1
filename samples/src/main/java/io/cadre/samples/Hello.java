package io.cadre.samples;

import io.cadre.App;
import io.cadre.Cadre;
import io.cadre.ExecutionModel;
import java.util.Map;

public final class Hello {
    public static void main(String[] args) {
        App app = App.builder()
                .get("/hello", ExecutionModel.IO, req -> "Hello, World!")        // trivial: on the IO thread
                .get("/who", req -> Map.of("worker", req.worker().id(), "pid", req.worker().pid())) // may block: a virtual thread
                .startupCheck("greeting", () -> {                                // runs in each worker before it binds
                    if ("".equals(System.getenv("GREETING"))) {
                        throw new IllegalStateException("GREETING is set but empty");
                    }
                })
                .build();
        Cadre.run(app, args); // the primary forks the workers; each worker runs this same main
    }
}
