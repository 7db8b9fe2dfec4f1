package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.internal.metrics.MetricsSnapshot;
import io.cadre.it.RawHttp;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Every way a worker answers is counted once, under its route template and final status. */
class RouteMetersTest {
    @Test
    void handlersProblemsMissesAndHealthAreEachCountedUnderTheirRouteAndStatus() throws Exception {
        App app = App.builder()
                .get("/users/{id}", req -> "user " + req.pathParam("id"))
                .get("/fail", req -> {
                    throw new IllegalStateException("boom");
                })
                .build();
        try (TestServer t = new TestServer(app, CadreConfig.builder().workers(1)
                .operations(CadreConfig.Operations.DEFAULTS.withAdminPort(0)).build())) { // metrics on: workers record
            for (int i = 0; i < 3; i++) {
                assertThat(RawHttp.get(t.port, "/users/" + i).status()).isEqualTo(200);
            }
            assertThat(RawHttp.get(t.port, "/fail").status()).isEqualTo(500);
            assertThat(RawHttp.get(t.port, "/nowhere").status()).isEqualTo(404);
            assertThat(RawHttp.request(t.port, "DELETE", "/users/1", null, 5_000).status()).isEqualTo(405);
            assertThat(RawHttp.get(t.port, "/health/live").status()).isEqualTo(200);

            Map<String, Double> expected = new TreeMap<>(Map.of(
                    "GET /users/{id} 200", 3.0,
                    "GET /fail 500", 1.0,
                    "GET UNMATCHED 404", 1.0,
                    "DELETE UNMATCHED 405", 1.0,
                    "GET /health/live 200", 1.0));
            long deadline = System.nanoTime() + 5_000_000_000L; // completion listeners may run just after the client read
            Map<String, Double> counted;
            do {
                counted = counts(t.server.metrics().snapshot(1, 1));
            } while (!counted.equals(expected) && System.nanoTime() < deadline && sleep());
            assertThat(counted).isEqualTo(expected);
            MetricsSnapshot s = t.server.metrics().snapshot(1, 1);
            assertThat(s.histograms()).filteredOn(h -> h.labels().get("route").equals("/users/{id}")).singleElement()
                    .satisfies(h -> assertThat(h.count()).isEqualTo(3));
        }
    }

    private static Map<String, Double> counts(MetricsSnapshot s) {
        Map<String, Double> counts = new TreeMap<>();
        for (MetricsSnapshot.Sample c : s.counters()) {
            if (c.name().equals("cadre_http_requests")) {
                counts.put(c.labels().get("method") + " " + c.labels().get("route") + " " + c.labels().get("status"), c.value());
            }
        }
        return counts;
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(10);
        return true;
    }
}
