package io.cadre.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The bookstore sample on one worker (its shelf lives in the worker), through its filter and mapper. */
@Timeout(120)
class BookstoreIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> KEYED = Map.of("Content-Type", "application/json", "X-Api-Key", "secret");

    @TempDir
    static Path runtimeDir;
    static ClusterProcess app;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        app = ClusterProcess.start(Bookstore.class, List.of("--port", "0", "--workers", "1"),
                Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString(), "BOOKSTORE_API_KEY", "secret"));
        port = app.awaitListening(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    static RawHttp.Response send(String method, String path, String body, Map<String, String> headers) throws Exception {
        try (RawHttp.Connection c = new RawHttp.Connection(port, 10_000)) {
            return c.send(method, path, body, true, headers);
        }
    }

    @Test
    void booksAreAddedReadListedAndFingerprinted() throws Exception {
        RawHttp.Response created = send("POST", "/books", "{\"title\":\"Dune\",\"author\":\"Herbert\",\"year\":1965}", KEYED);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("server-timing")).startsWith("app;dur=");
        String id = JSON.readTree(created.body()).get("id").asText();
        assertThat(created.header("location")).isEqualTo("/books/" + id);
        assertThat(JSON.readTree(RawHttp.get(port, "/books/" + id).body()).get("title").asText()).isEqualTo("Dune");
        assertThat(JSON.readTree(RawHttp.get(port, "/books?order=year&limit=5").body()).size()).isEqualTo(1);
        JsonNode fingerprint = JSON.readTree(RawHttp.get(port, "/books/" + id + "/fingerprint?rounds=1000").body());
        assertThat(fingerprint.get("fingerprint").asText()).hasSize(64);
    }

    @Test
    void mistakesAnswerTheirStatus() throws Exception {
        assertThat(send("POST", "/books", "{\"title\":\"x\"}", Map.of("Content-Type", "application/json")).status()).isEqualTo(401);
        RawHttp.Response missing = RawHttp.get(port, "/books/00000000-0000-0000-0000-000000000000");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("content-type")).isEqualTo("application/problem+json");
        assertThat(RawHttp.get(port, "/books/not-a-uuid").status()).isEqualTo(400);
        assertThat(RawHttp.get(port, "/books?order=price").status()).isEqualTo(400);
        assertThat(send("POST", "/books", "{\"title\":", KEYED).status()).isEqualTo(400);
        assertThat(send("POST", "/books", "{\"author\":\"nobody\"}", KEYED).status()).isEqualTo(400);
        assertThat(send("DELETE", "/books/00000000-0000-0000-0000-000000000000", null, Map.of("X-Api-Key", "secret")).status())
                .isEqualTo(404);
    }

    @Test
    void aReplacementWithoutATitleIsRefusedAndTheListStillAnswers() throws Exception {
        RawHttp.Response created = send("POST", "/books", "{\"title\":\"Emma\",\"author\":\"Austen\",\"year\":1815}", KEYED);
        String id = JSON.readTree(created.body()).get("id").asText();
        assertThat(send("PUT", "/books/" + id, "{\"author\":\"x\",\"year\":2001}", KEYED).status()).isEqualTo(400);
        assertThat(RawHttp.get(port, "/books").status()).isEqualTo(200);
        assertThat(JSON.readTree(RawHttp.get(port, "/books/" + id).body()).get("title").asText()).isEqualTo("Emma");
    }
}
