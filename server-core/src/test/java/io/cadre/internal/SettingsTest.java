package io.cadre.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.App;
import io.cadre.CadreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private final App app = App.builder()
            .config(CadreConfig.builder().port(9000).workers(3).build())
            .option("redis", "Redis URL")
            .build();

    @Test
    void theCommandLineBeatsTheEnvironmentWhichBeatsTheAppDefaults() throws Exception {
        Settings s = Settings.parse(app, new String[] {"--port", "7000"}, Map.of("CADRE_PORT", "8000", "CADRE_WORKERS", "5"));
        assertThat(s.config().port()).isEqualTo(7000);
        assertThat(s.config().workers()).isEqualTo(5);
        assertThat(Settings.parse(app, new String[0], Map.of()).config().port()).isEqualTo(9000);
    }

    @Test
    void cadreAndAppOptionsAreReadInBothForms() throws Exception {
        Settings s = Settings.parse(app, new String[] {"--workers=2", "--redis", "redis://h:1", "--drain-timeout", "500",
                "--worker-jvm-opts", "-Xmx64m  -Dx=y", "--breaker", "3/10000", "--restart-delay", "50"}, Map.of());
        assertThat(s.config().workers()).isEqualTo(2);
        assertThat(s.option("redis")).contains("redis://h:1");
        assertThat(s.config().drainTimeoutMillis()).isEqualTo(500);
        assertThat(s.config().workerJvmOptions()).containsExactly("-Xmx64m", "-Dx=y");
        assertThat(s.config().supervision().breakerCrashes()).isEqualTo(3);
        assertThat(s.config().supervision().breakerWindowMillis()).isEqualTo(10_000);
        assertThat(s.config().supervision().backoffInitialMillis()).isEqualTo(50);
    }

    @Test
    void aotTrainingOptionsAreParsed() throws Exception {
        Settings s = Settings.parse(app, new String[] {"--aot-train", "x.aot", "--aot-train-paths", "/a, /b"}, Map.of());
        assertThat(s.aotTrain()).contains(Path.of("x.aot"));
        assertThat(s.aotTrainPaths()).containsExactly("/a", "/b");
    }

    @Test
    void operationsOptionsAreParsed() throws Exception {
        Settings s = Settings.parse(app, new String[] {"--hang-timeout", "5000", "--rollout-batch", "2", "--max-requests", "1000",
            "--max-memory", "512", "--admin-port", "0"}, Map.of("CADRE_BOOT_NICE", "3"));
        assertThat(s.config().operations()).isEqualTo(new io.cadre.CadreConfig.Operations(5000, 2, 1000, 512L << 20, 0, 3, List.of(), 10_000));
        assertThat(Settings.parse(app, new String[0], Map.of()).config().operations()).isEqualTo(io.cadre.CadreConfig.Operations.DEFAULTS);
    }

    @Test
    void warmUpPathsMustReachAGetRoute() throws Exception {
        App routed = App.builder().get("/json", req -> "{}").get("/users/{id}", req -> "u").post("/orders", req -> "o").build();
        Settings s = Settings.parse(routed, new String[] {"--warm-up", "/json, /users/7?full=true,/health/live,/us%65rs/8", "--warm-up-requests",
                "500"}, Map.of());
        assertThat(s.config().operations().warmUpPaths()).containsExactly("/json", "/users/7?full=true", "/health/live", "/us%65rs/8");
        assertThat(s.config().operations().warmUpRequests()).isEqualTo(500);
        assertThat(Settings.parse(routed, new String[0], Map.of("CADRE_WARM_UP", "/json")).config().operations().warmUpPaths())
                .containsExactly("/json");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up", "/jsn"}, Map.of()))
                .hasMessage("invalid --warm-up: '/jsn' matches no GET route of the app");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up", "/orders"}, Map.of()))
                .hasMessage("invalid --warm-up: '/orders' matches no GET route of the app");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up", "json"}, Map.of()))
                .hasMessage("invalid --warm-up: 'json' does not start with '/'");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up", "/json\tx"}, Map.of()))
                .hasMessageStartingWith("invalid --warm-up: warm-up path '/json\tx' must start with '/' and hold no spaces");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up", "/health/ready"}, Map.of()))
                .hasMessage("invalid --warm-up: '/health/ready' answers 503 until the worker is ready, so it warms up nothing");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up", "/json?x=<"}, Map.of()))
                .hasMessageStartingWith("invalid --warm-up: warm-up path '/json?x=<' is not a valid request target: Illegal character");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up", "/json?x=%zz"}, Map.of()))
                .hasMessageStartingWith("invalid --warm-up: warm-up path '/json?x=%zz' is not a valid request target: Malformed escape");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up", "/json#top"}, Map.of()))
                .hasMessage("invalid --warm-up: warm-up path '/json#top' must not hold a fragment ('#')");
        assertThatThrownBy(() -> Settings.parse(routed, new String[] {"--warm-up-requests", "0"}, Map.of()))
                .hasMessage("invalid --warm-up-requests '0': expected a whole number from 1 to 10000000");
    }

    @Test
    void badInputGetsOneClearLine() {
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--workers", "abc"}, Map.of()))
                .hasMessage("invalid --workers 'abc': expected a whole number from 1 to 1024");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--port", "70000"}, Map.of()))
                .hasMessage("invalid --port '70000': expected a whole number from 0 to 65535");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--nope", "1"}, Map.of()))
                .hasMessageStartingWith("unknown option --nope; known options: --admin-port, --aot-train, --aot-train-paths, --boot-nice, --breaker,")
                .hasMessageContaining("--redis");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--hang-timeout", "5"}, Map.of()))
                .hasMessage("invalid --hang-timeout '5': expected a whole number from 100 to 86400000");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--boot-nice", "20"}, Map.of()))
                .hasMessage("invalid --boot-nice '20': expected a whole number from 0 to 19");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--admin-port", "-2"}, Map.of()))
                .hasMessageStartingWith("invalid --admin-port '-2'");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--port"}, Map.of())).hasMessage("option --port needs a value");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--nope"}, Map.of()))
                .as("an unknown option last on the line is unknown, not short of a value")
                .hasMessageStartingWith("unknown option --nope; known options:");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--max-memory", "512m"}, Map.of()))
                .hasMessage("invalid --max-memory '512m': expected a whole number from 0 to 16777216 (megabytes)");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"serve"}, Map.of())).hasMessageStartingWith("unexpected argument 'serve'");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--breaker", "5"}, Map.of())).hasMessageContaining("CRASHES/WINDOW_MS");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--restart-delay", "40000"}, Map.of())).hasMessageContaining("cap");
        assertThatThrownBy(() -> Settings.parse(app, new String[0], Map.of("CADRE_WORKERS", "0")))
                .isInstanceOf(Settings.UsageException.class).hasMessageContaining("--workers");
        assertThatThrownBy(() -> Settings.parse(app, new String[] {"--aot-train-paths", "plaintext"}, Map.of())).hasMessageContaining("'/'");
    }

    @Test
    void helpIsRecognisedAndListsAppOptions() throws Exception {
        assertThat(Settings.parse(app, new String[] {"--help"}, Map.of()).help()).isTrue();
        assertThat(Settings.usage(app)).contains("--workers N").contains("--redis VALUE").contains("Redis URL");
    }

    @Test
    void appOptionNamesMayNotTakeCadresNames() {
        assertThatThrownBy(() -> App.builder().option("port", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> App.builder().option("Bad_Name", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(App.builder().option("ok-name", "x").build().options().keySet().toArray())).containsExactly("ok-name");
    }
}
