package io.cadre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AppTest {

    @Test
    void aRouteDeclaredTwiceIsAProblemNamingBothDeclarations() {
        App app = App.builder().get("/a", req -> "a").get("/a", req -> "again").post("/a", req -> "post").build();
        assertThat(app.problems()).containsExactly(
                "route GET /a (App.Builder.get(\"/a\")) clashes with GET /a (App.Builder.get(\"/a\"))");
        assertThat(App.builder().get("/a", req -> "a").post("/a", req -> "post").build().problems()).isEmpty();
    }

    @Test
    void badRoutesAreProblemsNotExceptions() {
        assertThat(App.builder().get("a", req -> "").build().problems()).singleElement().asString().contains("must start with '/'");
        assertThat(App.builder().get("/a?b", req -> "").build().problems()).singleElement().asString().contains("'?'");
        assertThat(App.builder().get("/health/ready", req -> "").build().problems()).singleElement().asString().contains("served by Cadre");
        assertThat(App.builder().route("BREW", "/tea", req -> "").build().problems()).singleElement().asString()
                .contains("unsupported HTTP method 'BREW'");
        assertThatThrownBy(() -> App.builder().get("/a", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void startupChecksNeedUniqueNames() {
        App.Builder b = App.builder().startupCheck("db", () -> { });
        assertThatThrownBy(() -> b.startupCheck("db", () -> { })).hasMessageContaining("'db' is declared twice");
        assertThatThrownBy(() -> b.startupCheck(" ", () -> { })).hasMessageContaining("needs a name");
    }

    @Test
    void configIsValidatedWhenBuilt() {
        assertThatThrownBy(() -> CadreConfig.builder().workers(0).build()).hasMessageContaining("workers must be 1..1024");
        assertThatThrownBy(() -> CadreConfig.builder().port(-1).build()).hasMessageContaining("port");
        assertThatThrownBy(() -> CadreConfig.builder().host(" ").build()).hasMessageContaining("host");
        assertThatThrownBy(() -> new CadreConfig.Supervision(100, 50, 1, 1, 1, 1, 1)).hasMessageContaining("backoffMaxMillis");
        assertThatThrownBy(() -> CadreConfig.HttpLimits.DEFAULTS.withSizes(0, 1)).hasMessageContaining("maxHeaderBytes");
        assertThatThrownBy(() -> CadreConfig.Compute.DEFAULTS.withNiceness(20)).hasMessageContaining("niceness");
        CadreConfig c = CadreConfig.defaults();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.drainTimeoutMillis()).isEqualTo(30_000);
        assertThat(c.supervision().breakerCrashes()).isEqualTo(5);
    }

    @Test
    void messagesCarryJsonAndConvert() {
        record Ping(String text, int n) {
        }
        Message m = Message.of(new Ping("hi", 2));
        assertThat(m.toString()).isEqualTo("{\"text\":\"hi\",\"n\":2}");
        assertThat(m.as(Ping.class)).isEqualTo(new Ping("hi", 2));
        assertThat(Message.of("plain").text()).isEqualTo("plain");
        assertThatThrownBy(() -> m.as(Integer.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void responsesValidateStatusAndHeaders() {
        assertThatThrownBy(() -> Response.status(99)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Response.text("x").withHeader("X-A", "a\r\nb")).isInstanceOf(IllegalArgumentException.class);
        Response r = Response.text("x").withHeader("X-A", "1").withHeader("x-a", "2").withStatus(201);
        assertThat(r.headers()).containsEntry("x-a", "2").doesNotContainKey("X-A");
        assertThat(r.status()).isEqualTo(201);
    }
}
