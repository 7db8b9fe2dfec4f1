package io.cadre.state.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitKeysTest {
    private final RateLimiter limiter = new RateLimiter(null, "cadre:rl:");

    @Test
    void aClientChosenKeyCannotReachIntoAnotherBudgetWhoseNameHasAColon() {
        // budget "api" keyed by a header the client sets, budget "api:admin" keyed by IP
        String viaHeader = limiter.redisKey("api", RateLimitFilter.counted("admin:10.0.0.7"));
        String viaIp = limiter.redisKey("api:admin", "10.0.0.7");
        assertThat(viaHeader).isNotEqualTo(viaIp);
        assertThat(limiter.redisKey("a:b", "c")).isNotEqualTo(limiter.redisKey("a", "b:c"));
        assertThat(limiter.redisKey("login", "10.0.0.7")).isEqualTo("cadre:rl:5:login:10.0.0.7");
    }

    @Test
    void requestsWithoutAKeyDoNotShareABudgetWithOnesThatSendTheWordNull() {
        assertThat(RateLimitFilter.counted(null)).isNotEqualTo(RateLimitFilter.counted("null"));
        assertThat(RateLimitFilter.counted("")).isNotEqualTo(RateLimitFilter.counted(null));
        assertThat(RateLimitFilter.counted("k1")).isNotEqualTo(RateLimitFilter.counted("k2"));
    }
}
