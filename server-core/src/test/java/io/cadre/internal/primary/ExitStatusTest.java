package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExitStatusTest {
    @Test
    void signalsAreNamedAndCodesAreSaid() {
        assertThat(ExitStatus.describe(137)).isEqualTo("was killed by signal 9 (SIGKILL)");
        assertThat(ExitStatus.describe(139)).isEqualTo("was killed by signal 11 (SIGSEGV)");
        assertThat(ExitStatus.describe(1)).isEqualTo("exited with code 1");
        assertThat(ExitStatus.describe(78)).isEqualTo("exited with code 78");
    }
}
