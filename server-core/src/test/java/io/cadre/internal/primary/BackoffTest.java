package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @RepeatedTest(20)
    void delaysGrowStrictlyUntilTheCapWhateverTheJitter() {
        Backoff backoff = new Backoff(100, 30_000);
        SplittableRandom random = new SplittableRandom();
        long previous = 0;
        for (int attempt = 1; attempt <= 8; attempt++) { // 100 * 2^7 = 12800 < cap
            long delay = backoff.delayMillis(attempt, random);
            assertThat(delay).isGreaterThan(previous);
            previous = delay;
        }
    }

    @Test
    void eachDelayStaysWithinTwentyPercentOfItsBaseAndUnderTheCap() {
        Backoff backoff = new Backoff(100, 30_000);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.delayMillis(1, random)).isBetween(80L, 120L);
            assertThat(backoff.delayMillis(4, random)).isBetween(640L, 960L);
            assertThat(backoff.delayMillis(40, random)).isBetween(24_000L, 30_000L);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(100, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(100, 1000).delayMillis(0, new SplittableRandom())).isInstanceOf(IllegalArgumentException.class);
    }
}
