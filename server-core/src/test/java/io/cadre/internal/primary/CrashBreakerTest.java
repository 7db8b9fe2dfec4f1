package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CrashBreakerTest {

    @Test
    void theKthCrashWithinTheWindowOpensTheBreakerOnce() {
        CrashBreaker breaker = new CrashBreaker(3, 60_000);
        assertThat(breaker.recordCrash(0)).isFalse();
        assertThat(breaker.recordCrash(1_000)).isFalse();
        assertThat(breaker.isOpen()).isFalse();
        assertThat(breaker.recordCrash(2_000)).isTrue();
        assertThat(breaker.isOpen()).isTrue();
        assertThat(breaker.recordCrash(3_000)).isFalse(); // already open: reported once
        assertThat(breaker.isOpen()).isTrue();
    }

    @Test
    void crashesOlderThanTheWindowDoNotCount() {
        CrashBreaker breaker = new CrashBreaker(3, 10_000);
        breaker.recordCrash(0);
        breaker.recordCrash(5_000);
        assertThat(breaker.recordCrash(10_000)).isFalse(); // the first crash left the window
        assertThat(breaker.recentCrashes()).isEqualTo(2);
        assertThat(breaker.recordCrash(12_000)).isTrue();
    }
}
