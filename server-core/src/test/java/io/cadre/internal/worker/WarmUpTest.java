package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.ExecutionModel;
import io.cadre.it.RawHttp;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A replacement worker's warm-up: its own requests on a private listener, counted nowhere, before it serves. */
class WarmUpTest {
    private final AtomicInteger calls = new AtomicInteger();
    private final App app = App.builder()
            .get("/hot", ExecutionModel.IO, req -> "hot " + calls.incrementAndGet())
            .get("/big", req -> "x".repeat(40_000)) // a long body, on a virtual thread
            .get("/broken", req -> {
                throw new IllegalStateException("not warm-up material");
            })
            .build();

    private static CadreConfig config(List<String> paths, int requests) {
        return CadreConfig.builder().workers(1)
                .operations(CadreConfig.Operations.DEFAULTS.withAdminPort(0).withWarmUp(paths, requests)).build();
    }

    @Test
    void aReplacementAnswersItsWarmUpBeforeItServesAndCountsNoneOfIt() throws Exception {
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        try (TestServer t = new TestServer(app, config(List.of("/hot", "/big?n=1"), 600), result::set)) {
            WarmUpRequests.Result r = result.get();
            assertThat(r).as("the warm-up ran before start returned").isNotNull();
            assertThat(r.answered()).isEqualTo(600);
            assertThat(r.cutShort()).isFalse();
            assertThat(r.leftOut()).isEmpty();
            assertThat(calls.get()).isEqualTo(300);
            assertThat(t.state.served()).as("served, as the worker counts for --max-requests").isZero();
            assertThat(t.server.metrics().snapshot(1, 1).counters()).noneMatch(c -> c.name().equals("cadre_http_requests") && c.value() > 0);

            assertThat(RawHttp.get(t.port, "/hot").body()).isEqualTo("hot 301");
            assertThat(t.state.served()).isEqualTo(1);
        }
    }

    @Test
    void aPathThatFailsIsLeftOutAndReportedAndTheRestWarmUp() throws Exception {
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        try (TestServer t = new TestServer(app, config(List.of("/broken", "/hot"), 200), result::set)) {
            WarmUpRequests.Result r = result.get();
            assertThat(r.leftOut()).containsOnlyKeys("/broken");
            assertThat(r.leftOut().get("/broken")).isEqualTo("status 500");
            assertThat(r.answered()).isBetween(190L, 200L); // the requests meant for /broken before it failed go elsewhere or nowhere
            assertThat(RawHttp.get(t.port, "/hot").status()).isEqualTo(200);
        }
    }

    @Test
    void withoutPathsOrAsAFirstWorkerThereIsNoWarmUp() throws Exception {
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        try (TestServer t = new TestServer(app, config(List.of(), 100), result::set)) {
            assertThat(result.get()).isNull();
        }
        try (TestServer t = new TestServer(app, config(List.of("/hot"), 100))) { // not a replacement
            assertThat(calls.get()).isZero();
        }
    }
}
