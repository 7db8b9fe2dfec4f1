package io.cadre.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void itIsTheTimeTheQueueTakesToDrainThroughTheLanesSlotsRoundedUp() {
        // 10 waiting x 300 ms / 2 at once = 1.5 s -> 2 s
        assertThat(RetryAfter.seconds(10, 300 * MS, 2)).isEqualTo(2);
        // 40 x 500 ms / 4 = 5 s exactly
        assertThat(RetryAfter.seconds(40, 500 * MS, 4)).isEqualTo(5);
    }

    @Test
    void itGrowsWithQueueDepthAndServiceTimeAndShrinksWithConcurrency() {
        assertThat(RetryAfter.seconds(20, 300 * MS, 2)).isGreaterThan(RetryAfter.seconds(10, 300 * MS, 2));
        assertThat(RetryAfter.seconds(10, 900 * MS, 2)).isGreaterThan(RetryAfter.seconds(10, 300 * MS, 2));
        assertThat(RetryAfter.seconds(10, 900 * MS, 6)).isLessThan(RetryAfter.seconds(10, 900 * MS, 2));
    }

    @Test
    void itIsNeverLessThanOneSecond() {
        assertThat(RetryAfter.seconds(0, 300 * MS, 2)).isEqualTo(1);
        assertThat(RetryAfter.seconds(4, 0, 2)).isEqualTo(1);
        assertThat(RetryAfter.seconds(1, 1, 64)).isEqualTo(1);
    }

    @Test
    void itSaturatesInsteadOfOverflowing() {
        assertThat(RetryAfter.seconds(Integer.MAX_VALUE, Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> RetryAfter.seconds(1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
