package io.cadre.compute.isolated.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobBreakersTest {
    private final JobBreakers breakers = new JobBreakers(2, 10_000, 5_000);

    @Test
    void kCrashesWithinTheWindowOpenTheBreakerForTheCoolDown() {
        assertThat(breakers.crashed("a", 0)).isFalse();
        assertThat(breakers.crashed("a", 20_000)).as("the first crash left the window").isFalse();
        assertThat(breakers.crashed("a", 21_000)).isTrue();
        assertThat(breakers.refusedFor("a", 22_000)).isEqualTo(4_000);
        assertThat(breakers.refusedFor("b", 22_000)).as("other job classes run").isZero();
        assertThat(breakers.open(22_000)).containsExactly("a");
    }

    @Test
    void afterTheCoolDownOneTrialJobRunsAndTheOthersWait() {
        breakers.crashed("a", 0);
        breakers.crashed("a", 1);
        assertThat(breakers.refusedFor("a", 6_000)).as("the trial").isZero();
        assertThat(breakers.refusedFor("a", 6_001)).as("a second job while the trial runs").isPositive();
        assertThat(breakers.refusedFor("a", 6_002)).isPositive();
        breakers.succeeded("a");
        assertThat(breakers.refusedFor("a", 6_003)).as("closed by the trial's success").isZero();
        assertThat(breakers.refusedFor("a", 6_004)).isZero();
    }

    @Test
    void aTrialThatCrashesOpensItAgainAndOneThatThrowsLetsTheNextTry() {
        breakers.crashed("a", 0);
        breakers.crashed("a", 1);
        assertThat(breakers.refusedFor("a", 6_000)).isZero();
        assertThat(breakers.crashed("a", 6_100)).as("the trial crashed: open again at once").isTrue();
        assertThat(breakers.refusedFor("a", 6_200)).isEqualTo(4_900);
        assertThat(breakers.refusedFor("a", 11_200)).as("the next trial").isZero();
        breakers.trialEnded("a"); // it threw: no verdict
        assertThat(breakers.refusedFor("a", 11_300)).as("another trial").isZero();
        assertThat(breakers.refusedFor("a", 11_400)).isPositive();
        assertThat(breakers.refusedFor("a", 16_400)).as("a trial that never reported back frees the way after a cool-down").isZero();
    }
}
