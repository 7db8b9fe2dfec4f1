package io.cadre.state;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How sessions work. Immutable; validated.
 *
 * @param cookieName the session cookie's name; generic on purpose. Default: {@code sid}.
 * @param idleTimeoutMillis a session not used for this long is over; every request that uses it
 *     starts the time again (sliding). Enforced on the server. At most {@link #MAX_TIMEOUT_MILLIS}.
 *     UNIT: ms. Default: 1800000 (30 min).
 * @param absoluteTimeoutMillis a session is over this long after it began, used or not. Enforced on
 *     the server. At most {@link #MAX_TIMEOUT_MILLIS}. UNIT: ms. Default: 43200000 (12 h).
 * @param secureCookie always mark the cookie {@code Secure}; it is marked so anyway for a request
 *     that came over HTTPS (or says so in {@code X-Forwarded-Proto}). Default: false.
 * @param sameSite the cookie's {@code SameSite}: {@code Lax}, {@code Strict} or {@code None}
 *     ({@code None} forces {@code Secure}). Default: {@code Lax}.
 * @param keyPrefix the prefix of the Redis keys that hold sessions. Default: {@code cadre:session:}.
 */
public record SessionOptions(String cookieName, long idleTimeoutMillis, long absoluteTimeoutMillis, boolean secureCookie,
        String sameSite, String keyPrefix) {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    /** The longest timeout allowed: 10 years. UNIT: ms. */
    public static final long MAX_TIMEOUT_MILLIS = 10L * 366 * 24 * 3_600_000L;

    public static final SessionOptions DEFAULTS = new SessionOptions("sid", 30 * 60_000L, 12 * 3_600_000L, false, "Lax",
            "cadre:session:");

    public SessionOptions {
        Objects.requireNonNull(cookieName, "cookieName");
        if (!TOKEN.matcher(cookieName).matches()) {
            throw new IllegalArgumentException("cookieName must be a cookie token, was '" + cookieName + "'");
        }
        if (idleTimeoutMillis <= 0 || absoluteTimeoutMillis <= 0) {
            throw new IllegalArgumentException("session timeouts must be > 0");
        }
        if (idleTimeoutMillis > MAX_TIMEOUT_MILLIS || absoluteTimeoutMillis > MAX_TIMEOUT_MILLIS) {
            // the expiry arithmetic (creation time + timeout) and Redis's PEXPIRE must not overflow
            throw new IllegalArgumentException("session timeouts must be at most " + MAX_TIMEOUT_MILLIS + " ms (10 years), were "
                    + idleTimeoutMillis + " and " + absoluteTimeoutMillis);
        }
        if (!sameSite.equals("Lax") && !sameSite.equals("Strict") && !sameSite.equals("None")) {
            throw new IllegalArgumentException("sameSite must be Lax, Strict or None, was " + sameSite);
        }
        if (keyPrefix == null || keyPrefix.isEmpty()) {
            throw new IllegalArgumentException("keyPrefix must not be empty");
        }
    }

    public SessionOptions withTimeouts(long idleMillis, long absoluteMillis) {
        return new SessionOptions(cookieName, idleMillis, absoluteMillis, secureCookie, sameSite, keyPrefix);
    }

    public SessionOptions withCookie(String name, boolean secure, String site) {
        return new SessionOptions(name, idleTimeoutMillis, absoluteTimeoutMillis, secure, site, keyPrefix);
    }

    public SessionOptions withKeyPrefix(String prefix) {
        return new SessionOptions(cookieName, idleTimeoutMillis, absoluteTimeoutMillis, secureCookie, sameSite, prefix);
    }
}
