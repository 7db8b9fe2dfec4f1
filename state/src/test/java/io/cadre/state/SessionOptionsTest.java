package io.cadre.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SessionOptionsTest {
    @Test
    void timeoutsArePositiveAndAtMostTenYears() {
        assertThat(SessionOptions.DEFAULTS.withTimeouts(1, SessionOptions.MAX_TIMEOUT_MILLIS).absoluteTimeoutMillis())
                .isEqualTo(SessionOptions.MAX_TIMEOUT_MILLIS);
        assertThatThrownBy(() -> SessionOptions.DEFAULTS.withTimeouts(0, 1_000)).hasMessage("session timeouts must be > 0");
        // Long.MAX_VALUE, a likely way to say "no absolute timeout", overflowed the expiry: every session got 1 ms
        assertThatThrownBy(() -> SessionOptions.DEFAULTS.withTimeouts(1_000, Long.MAX_VALUE))
                .hasMessageStartingWith("session timeouts must be at most " + SessionOptions.MAX_TIMEOUT_MILLIS + " ms (10 years)");
    }

    @Test
    void badCookieNamesAndSameSiteValuesAreRefused() {
        assertThatThrownBy(() -> SessionOptions.DEFAULTS.withCookie("s id", false, "Lax")).hasMessageContaining("cookie token");
        assertThatThrownBy(() -> SessionOptions.DEFAULTS.withCookie("sid", false, "lax")).hasMessageContaining("Lax, Strict or None");
    }
}
