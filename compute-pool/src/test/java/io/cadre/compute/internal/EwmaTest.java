package io.cadre.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EwmaTest {
    @Test
    void itStartsAtTheFirstSampleAndMovesAFifthOfTheWayToEachNewOne() {
        Ewma ewma = new Ewma();
        assertThat(ewma.nanos()).isZero();
        ewma.record(1000);
        assertThat(ewma.nanos()).isEqualTo(1000);
        ewma.record(2000);
        assertThat(ewma.nanos()).isEqualTo(1200);
    }

    @Test
    void itFollowsASustainedChangeWithinAFewDozenSamples() {
        Ewma ewma = new Ewma();
        ewma.record(1_000_000);
        for (int i = 0; i < 30; i++) {
            ewma.record(10_000_000);
        }
        assertThat(ewma.nanos()).isBetween(9_900_000L, 10_000_000L);
    }
}
