package io.cadre.state.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.state.SharedCache;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisCachesTest {
    @Test
    void aNearCacheRefusesAnEntryTimeToLiveItCannotKeepBeforeItTalksToRedis() {
        SharedCache<String> near = RedisCaches.near(() -> {
            throw new AssertionError("no Redis call for a refused put");
        }, "settings", String.class, Duration.ofMinutes(1), 10);
        assertThatThrownBy(() -> near.put("k", "v", Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("near cache 'settings'")
                .hasMessageContaining("CadreState.cache(...)");
    }
}
