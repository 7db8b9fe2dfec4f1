package io.cadre.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.ExtensionContext;
import io.cadre.HttpException;
import io.cadre.state.internal.RedisTarget;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.testing.Await;
import io.cadre.state.testing.TestRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis stalls while {@code withLock} asks for a lock, Redisson gives up (503), and Redis then
 * resumes and runs the queued lock script: the lock, granted to a caller that left, must not stay
 * taken for its whole 30 s lease.
 */
class LateLockGrantTest {
    static final int DEADLINE = 500;

    @Test
    @Timeout(90)
    void aLockGrantedAfterRedissonGaveUpIsReleasedOnceRedisAnswersAgain() throws Exception {
        try (RedisServer redis = TestRedis.server()) {
            CadreState state = CadreState.builder().deadlineMillis(DEADLINE).build();
            state.startWorker(new ExtensionContext(Map.of(),
                    new RedisTarget(redis.uri(), null, redis.password(), null).workerEnv(), Path.of("."), 1, 1, 1, 1_000));
            try {
                assertThat(state.withLock("warm", Duration.ofSeconds(1), () -> "ok")).isEqualTo("ok");
                redis.pause();
                CompletableFuture<String> stalled;
                try {
                    // waits up to 5 s for the lock; Redisson's own timeout (within the 500 ms deadline) fires first
                    stalled = CompletableFuture.supplyAsync(() -> {
                        try {
                            return state.withLock("job", Duration.ofSeconds(5), () -> "ran");
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    assertThatThrownBy(() -> stalled.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(RuntimeException.class)
                            .hasRootCauseInstanceOf(HttpException.class);
                } finally {
                    redis.resume(); // the queued lock script runs now
                }
                // another worker (here: another thread) gets the lock within a few seconds, not after the 30 s lease
                Await.until(Duration.ofSeconds(15), () -> !state.lock("job").isLocked(), () -> "lock 'job' is still taken");
                assertThat(state.withLock("job", Duration.ofSeconds(1), () -> "ran")).isEqualTo("ran");
            } finally {
                state.stop();
            }
        }
    }
}
