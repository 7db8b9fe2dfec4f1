package io.cadre;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CadreTest {
    static final class Clashing {
        @GET("/a/{id}")
        public String one(@PathParam("id") long id) {
            return "one";
        }

        @GET("/a/{name}")
        public String two(@PathParam("name") String name) {
            return "two";
        }
    }

    @Test
    void anAppWithRouteProblemsDoesNotStartAndSaysWhyInOneLineEach() {
        App app = App.builder().routes(new Clashing()).get("users", req -> "").build();
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Cadre.launch(app, new String[0], Map.of());
        } finally {
            System.setErr(original);
        }
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "cadre: path 'users' must start with '/'",
                "cadre: route GET /a/{name} (Clashing.two(String)) clashes with GET /a/{id} (Clashing.one(long))");
    }
}
