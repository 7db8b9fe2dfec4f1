package io.cadre.state.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.testing.TestRedis;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Writes that must not run twice are sent once: Redis stalls past what would have been the first
 * attempt's timeout (the deadline's share before Redisson retried), then resumes in time. With the
 * retry, both attempts ran when Redis resumed and the request was counted twice.
 */
class NoRetryWritesTest {
    static final int DEADLINE = 3_000;
    /** Inside the single attempt's time (2 700 ms), past the old first attempt's (1 350 ms) and its retry (at ~1 650 ms). */
    static final long STALL_MILLIS = 2_100;

    @Test
    @Timeout(60)
    void aRateLimitHitIsCountedOnceWhenRedisStallsAndComesBack() throws Exception {
        try (RedisServer redis = TestRedis.server()) {
            RedisConnection connection = new RedisConnection(new RedisTarget(redis.uri(), null, redis.password(), null), DEADLINE);
            try {
                RateLimiter limiter = new RateLimiter(connection, "t:rl:");
                assertThat(limiter.hit("warm", "k", 10, 60_000).remaining()).isEqualTo(9); // connected, script loaded
                redis.pause();
                CompletableFuture<RateLimiter.Decision> stalled;
                try {
                    stalled = CompletableFuture.supplyAsync(() -> limiter.hit("login", "10.0.0.7", 10, 60_000));
                    // the stall itself is the scenario: Redis answers nothing for this long
                    Thread.sleep(STALL_MILLIS);
                } finally {
                    redis.resume();
                }
                assertThat(stalled.get(DEADLINE * 2L, TimeUnit.MILLISECONDS).remaining()).isEqualTo(9);
                assertThat(limiter.hit("login", "10.0.0.7", 10, 60_000).remaining())
                        .as("the stalled request was counted once").isEqualTo(8);
            } finally {
                connection.close();
            }
        }
    }
}
