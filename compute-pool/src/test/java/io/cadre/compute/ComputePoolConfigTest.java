package io.cadre.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.compute.ComputePoolConfig.Kind;
import org.junit.jupiter.api.Test;

class ComputePoolConfigTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void theDefaultsUseEveryCoreAPlatformPoolNiceFiveAndLanesOfTwiceThePoolSize() {
        ComputePoolConfig config = ComputePoolConfig.defaults();
        assertThat(config.threads()).isEqualTo(CORES);
        assertThat(config.kind()).isEqualTo(Kind.PLATFORM);
        assertThat(config.niceness()).isEqualTo(5);
        assertThat(config.drainMillis()).isEqualTo(10_000);
        assertThat(config.defaultLane()).isEqualTo(new LaneOptions(CORES, 2 * CORES, 1000));
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(ComputePoolConfig.builder().threads(3).build().defaultLane())
                .isEqualTo(new LaneOptions(3, 6, 1000));
    }

    @Test
    void allWorkersTogetherGetNoMoreComputeThreadsThanThereAreCores() {
        assertThat(ComputePoolConfig.defaultThreads(1)).isEqualTo(CORES);
        assertThat(ComputePoolConfig.defaultThreads(2)).isEqualTo(Math.max(1, CORES / 2));
        assertThat(ComputePoolConfig.defaultThreads(CORES * 4)).isEqualTo(1);
        assertThatThrownBy(() -> ComputePoolConfig.defaultThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workersOnThisHost");
    }

    @Test
    void aBadPoolConfigIsRefusedNamingTheField() {
        LaneOptions lane = LaneOptions.defaultsFor(1);
        assertThatThrownBy(() -> new ComputePoolConfig(0, Kind.PLATFORM, 0, false, lane, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("threads must be between 1 and 4096, was 0");
        assertThatThrownBy(() -> ComputePoolConfig.builder().threads(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads must be");
        assertThatThrownBy(() -> new ComputePoolConfig(1, null, 0, false, lane, 0))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("kind");
        assertThatThrownBy(() -> new ComputePoolConfig(1, Kind.PLATFORM, -1, false, lane, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("niceness must be between 0");
        assertThatThrownBy(() -> new ComputePoolConfig(1, Kind.PLATFORM, 20, false, lane, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 20");
        assertThatThrownBy(() -> new ComputePoolConfig(1, Kind.PLATFORM, 0, false, LaneOptions.defaultsFor(2), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("defaultLane.maxConcurrency (2) must not exceed threads (1)");
        assertThatThrownBy(() -> new ComputePoolConfig(1, Kind.PLATFORM, 0, false, lane, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("drainMillis");
    }

    @Test
    void badLaneOptionsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new LaneOptions(0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrency must be at least 1 task, was 0");
        assertThatThrownBy(() -> new LaneOptions(1, -1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue must be between 0 and");
        assertThatThrownBy(() -> new LaneOptions(1, LaneOptions.MAX_QUEUE + 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue must be");
        assertThatThrownBy(() -> new LaneOptions(1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queueTimeoutMillis must be at least 1 ms, was 0");
        assertThat(LaneOptions.defaultsFor(2).withMaxConcurrency(1).withQueue(0).withQueueTimeoutMillis(5))
                .isEqualTo(new LaneOptions(1, 0, 5));
    }

    @Test
    void aLaneMustFitThePoolAndHaveAUniqueName() {
        try (ComputePool pool = ComputePool.start(ComputePoolConfig.builder().threads(2).niceness(0).build())) {
            assertThatThrownBy(() -> pool.lane("wide", LaneOptions.defaultsFor(3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("lane 'wide': maxConcurrency (3) must not exceed the pool's threads (2)");
            pool.lane("route", LaneOptions.defaultsFor(2));
            assertThatThrownBy(() -> pool.lane("route", LaneOptions.defaultsFor(2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'route' already exists");
            assertThatThrownBy(() -> pool.lane(ComputePool.DEFAULT_LANE, LaneOptions.defaultsFor(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
            assertThatThrownBy(() -> pool.lane(" ", LaneOptions.defaultsFor(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
            assertThat(pool.stats().lanes()).extracting(LaneStats::name).containsExactly("default", "route");
        }
    }

    @Test
    void aRefusalSaysWhyAndNeverAsksForLessThanOneSecond() {
        ComputeRejectedException e = new ComputeRejectedException("r", ComputeRejectedException.Reason.QUEUE_FULL, 3);
        assertThat(e.reason()).isEqualTo(ComputeRejectedException.Reason.QUEUE_FULL);
        assertThat(e.retryAfterSeconds()).isEqualTo(3);
        assertThat(e.getMessage()).contains("'r'", "QUEUE_FULL", "3 s");
        assertThat(e.getStackTrace()).isEmpty();
        assertThatThrownBy(() -> new ComputeRejectedException("r", ComputeRejectedException.Reason.SHUT_DOWN, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
