package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    private final java.util.concurrent.CountDownLatch hung = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean coldOnce = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean stallsOnce = new java.util.concurrent.atomic.AtomicBoolean();
    private final App app = App.builder()
            .get("/hot", ExecutionModel.IO, req -> "hot " + calls.incrementAndGet())
            .get("/nothing", req -> null) // 204: no body, and no length either
            .get("/hang", req -> hung.await(30, java.util.concurrent.TimeUnit.SECONDS))
            .get("/cold", req -> { // slow only the first time, as a cold worker's first answer is
                if (coldOnce.compareAndSet(false, true)) {
                    Thread.sleep(WarmUpRequests.ANSWER_MILLIS + 1_000);
                }
                return "warm now";
            })
            .get("/stalls", req -> { // answers once, then hangs
                if (stallsOnce.compareAndSet(false, true)) {
                    return "first";
                }
                return hung.await(30, java.util.concurrent.TimeUnit.SECONDS);
            })
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
            long deadline = System.nanoTime() + 5_000_000_000L; // the completion listener may run just after the client read
            while (t.state.served() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
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
            assertThat(r.cutShort()).as("the other path took the rest: nothing was cut short").isFalse();
            assertThat(r.answered()).isBetween(190L, 200L); // the requests meant for /broken before it failed go elsewhere or nowhere
            assertThat(RawHttp.get(t.port, "/hot").status()).isEqualTo(200);
        }
    }

    @Test
    void theWarmUpStopsAtAQuarterOfTheBootTimeout() throws Exception {
        App slow = App.builder().get("/slow", req -> {
            Thread.sleep(20);
            return "slow";
        }).build();
        CadreConfig config = CadreConfig.builder().workers(1)
                .supervision(CadreConfig.Supervision.DEFAULTS.withTimings(30_000, 2_000, 1_000))
                .operations(CadreConfig.Operations.DEFAULTS.withWarmUp(List.of("/slow"), 10_000)).build();
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        try (TestServer t = new TestServer(slow, config, result::set)) {
            WarmUpRequests.Result r = result.get();
            assertThat(r.cutShort()).as(r.toString()).isTrue();
            assertThat(r.answered()).isPositive().isLessThan(10_000);
            assertThat(r.leftOut()).isEmpty();
            assertThat(r.millis()).isBetween(450L, 2_000L);
            assertThat(RawHttp.get(t.port, "/slow").status()).isEqualTo(200);
        }
    }

    @Test
    void anAnswerWithoutABodyDoesNotStallTheWarmUp() throws Exception {
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        try (TestServer t = new TestServer(app, config(List.of("/hot", "/nothing"), 200), result::set)) {
            WarmUpRequests.Result r = result.get();
            assertThat(r.leftOut()).isEmpty();
            assertThat(r.cutShort()).as(r.toString()).isFalse();
            assertThat(r.answered()).isEqualTo(200);
        }
    }

    @Test
    void aPathThatDoesNotAnswerIsLeftOutAfterTheAnswerTimeAndTheRestWarmUp() throws Exception {
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        try (TestServer t = new TestServer(app, config(List.of("/hang", "/hot"), 100), result::set)) {
            WarmUpRequests.Result r = result.get();
            assertThat(r.leftOut()).containsExactly(java.util.Map.entry("/hang", "no answer within " + WarmUpRequests.FIRST_ANSWER_MILLIS + " ms"));
            assertThat(r.cutShort()).as(r.toString()).isFalse();
            assertThat(r.answered()).isPositive();
        } finally {
            hung.countDown();
        }
    }

    @Test
    void aPathWhoseFirstAnswerIsSlowIsKeptAndOneThatStallsLaterIsLeftOutAfterTheAnswerTime() throws Exception {
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        try (TestServer t = new TestServer(app, config(List.of("/cold", "/stalls", "/hot"), 60), result::set)) {
            WarmUpRequests.Result r = result.get();
            assertThat(r.leftOut()).as(r.toString())
                    .containsExactly(java.util.Map.entry("/stalls", "no answer within " + WarmUpRequests.ANSWER_MILLIS + " ms"));
            assertThat(r.answered()).isPositive();
        } finally {
            hung.countDown();
        }
    }

    @Test
    void aDrainDuringTheWarmUpStopsItAndTheServerNeverJoinsThePort() {
        java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
        App app = App.builder().get("/hot", ExecutionModel.IO, req -> {
            if (calls.incrementAndGet() == 50) {
                draining.set(true);
            }
            return "hot";
        }).build();
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        assertThatThrownBy(() -> new TestServer(app, config(List.of("/hot"), 10_000_000),
                new WarmUpRequests.Plan(15_000, draining::get, result::set)).close())
                .isInstanceOf(HttpServer.Cancelled.class);
        assertThat(result.get()).as("a cancelled warm-up reports nothing").isNull();
        assertThat(calls.get()).isBetween(50, 10_000);
    }

    @Test
    void aBootThatLeftNoTimeGetsNoWarmUp() throws Exception {
        AtomicReference<WarmUpRequests.Result> result = new AtomicReference<>();
        try (TestServer t = new TestServer(app, config(List.of("/hot"), 100), new WarmUpRequests.Plan(0, () -> false, result::set))) {
            assertThat(result.get()).isEqualTo(new WarmUpRequests.Result(0, 0, true, java.util.Map.of()));
            assertThat(calls.get()).isZero();
            assertThat(RawHttp.get(t.port, "/hot").status()).isEqualTo(200);
        }
    }

    @Test
    void theWarmUpGetsAQuarterOfTheBootTimeoutOrWhatTheBootLeftOfIt() {
        assertThat(WorkerRuntime.warmUpLimit(60_000, 500)).isEqualTo(15_000);
        assertThat(WorkerRuntime.warmUpLimit(60_000, 50_000)).isEqualTo(4_000); // 60 - 50 - a margin of 6 s
        assertThat(WorkerRuntime.warmUpLimit(60_000, 56_000)).isNegative();
        assertThat(WorkerRuntime.warmUpLimit(4_000, 500)).isEqualTo(1_000);
        assertThat(WorkerRuntime.warmUpLimit(4_000, 2_600)).isEqualTo(400); // the margin is at least 1 s
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
