package io.cadre.state.internal.redis;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a {@link RedisServer} runs. Immutable and validated: a bad value fails construction with an
 * {@link IllegalArgumentException} that names the field. {@link #toString()} never shows the password.
 *
 * @param bindHost the only address redis-server listens on. Default: {@code 127.0.0.1}.
 * @param port the port; 0 picks a free one (and another, up to 3 times, when it is taken before
 *     redis-server binds it). 0 to 65535. Default: 0.
 * @param password the password of the {@code default} user; empty: 32 random bytes, hex-encoded,
 *     drawn once per server and kept across {@link RedisServer#restart()}. 1 to 512 visible ASCII
 *     characters without quotes or backslash. Default: empty (random).
 * @param dir redis-server's working directory ({@code --dir}; only cluster nodes write there);
 *     empty: a fresh private temporary directory, deleted on close. Default: empty.
 * @param startTimeoutMillis how long a start may take until the server answers an authenticated
 *     PING. At least 1. UNIT: ms. Default: 10000.
 * @param stopTimeoutMillis how long {@link RedisServer#close()} waits for each step: SHUTDOWN
 *     NOSAVE, then SIGTERM, then SIGKILL. At least 1. UNIT: ms. Default: 2000.
 * @param guardParentPid the process whose death ends redis-server within about 2 seconds, through a
 *     watchdog shell next to it; {@value #NO_GUARD} for none. At least 0. Default: the current
 *     process, so that an embedded Redis never outlives a SIGKILLed primary.
 * @param clusterEnabled run as a Redis Cluster node: {@code --cluster-enabled yes}, the node file
 *     {@code nodes-<port>.conf} in {@code dir}, {@code masterauth} set to the password, and a port
 *     whose cluster bus port (port + 10000) is free too. Default: false.
 * @param extraArgs more redis-server arguments, after Cadre's own (so they win), e.g.
 *     {@code --maxmemory 64mb}. Default: none.
 */
public record RedisServerConfig(String bindHost, int port, Optional<String> password, Optional<Path> dir, long startTimeoutMillis,
        long stopTimeoutMillis, long guardParentPid, boolean clusterEnabled, List<String> extraArgs) {
    /** The {@code guardParentPid} that means: no watchdog. */
    public static final long NO_GUARD = 0;
    /** The default {@code startTimeoutMillis}. UNIT: ms. */
    public static final long DEFAULT_START_TIMEOUT_MILLIS = 10_000;
    /** The default {@code stopTimeoutMillis}. UNIT: ms. */
    public static final long DEFAULT_STOP_TIMEOUT_MILLIS = 2_000;
    private static final Pattern PASSWORD = Pattern.compile("[\\x21-\\x7e&&[^\"'\\\\]]{1,512}");

    /** Validates every field; see the record description for the allowed ranges. */
    public RedisServerConfig {
        Objects.requireNonNull(bindHost, "bindHost must not be null");
        if (bindHost.isBlank() || bindHost.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("bindHost must be one address without spaces, was '" + bindHost + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (pick a free one) to 65535, was " + port);
        }
        Objects.requireNonNull(password, "password must not be null (use Optional.empty() for a random one)");
        if (password.isPresent() && !PASSWORD.matcher(password.get()).matches()) {
            throw new IllegalArgumentException("password must be 1 to 512 visible ASCII characters without quotes or backslash");
        }
        Objects.requireNonNull(dir, "dir must not be null (use Optional.empty() for a temporary one)");
        if (startTimeoutMillis < 1) {
            throw new IllegalArgumentException("startTimeoutMillis must be at least 1 ms, was " + startTimeoutMillis);
        }
        if (stopTimeoutMillis < 1) {
            throw new IllegalArgumentException("stopTimeoutMillis must be at least 1 ms, was " + stopTimeoutMillis);
        }
        if (guardParentPid < 0) {
            throw new IllegalArgumentException("guardParentPid must be a pid or 0 (no guard), was " + guardParentPid);
        }
        if (clusterEnabled && port > 55535) {
            throw new IllegalArgumentException("a cluster node's port must be at most 55535 (its bus port is port + 10000), was " + port);
        }
        extraArgs = List.copyOf(extraArgs);
    }

    /** @return the configuration with every default */
    public static RedisServerConfig defaults() {
        return builder().build();
    }

    /** @return a builder that starts from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from this configuration */
    public Builder toBuilder() {
        Builder b = new Builder().bindHost(bindHost).port(port).dir(dir.orElse(null)).startTimeoutMillis(startTimeoutMillis)
                .stopTimeoutMillis(stopTimeoutMillis).guardedBy(guardParentPid).clusterEnabled(clusterEnabled).extraArgs(extraArgs);
        return b.password(password.orElse(null));
    }

    @Override
    public String toString() {
        return "RedisServerConfig[bindHost=" + bindHost + ", port=" + port + ", password=" + (password.isPresent() ? "(set)" : "(random)")
                + ", dir=" + dir + ", startTimeoutMillis=" + startTimeoutMillis + ", stopTimeoutMillis=" + stopTimeoutMillis
                + ", guardParentPid=" + guardParentPid + ", clusterEnabled=" + clusterEnabled + ", extraArgs=" + extraArgs + "]";
    }

    /** Builds a {@link RedisServerConfig}; not thread-safe, use it from one thread. */
    public static final class Builder {
        private String bindHost = "127.0.0.1";
        private int port;
        private String password;
        private Path dir;
        private long startTimeoutMillis = DEFAULT_START_TIMEOUT_MILLIS;
        private long stopTimeoutMillis = DEFAULT_STOP_TIMEOUT_MILLIS;
        private long guardParentPid = ProcessHandle.current().pid();
        private boolean clusterEnabled;
        private List<String> extraArgs = List.of();

        private Builder() {
        }

        /** @param bindHost see {@link RedisServerConfig#bindHost()} @return this builder */
        public Builder bindHost(String bindHost) {
            this.bindHost = bindHost;
            return this;
        }

        /** @param port see {@link RedisServerConfig#port()} @return this builder */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** @param password see {@link RedisServerConfig#password()}; null for a random one @return this builder */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** @param dir see {@link RedisServerConfig#dir()}; null for a temporary one @return this builder */
        public Builder dir(Path dir) {
            this.dir = dir;
            return this;
        }

        /** @param millis see {@link RedisServerConfig#startTimeoutMillis()} @return this builder */
        public Builder startTimeoutMillis(long millis) {
            this.startTimeoutMillis = millis;
            return this;
        }

        /** @param millis see {@link RedisServerConfig#stopTimeoutMillis()} @return this builder */
        public Builder stopTimeoutMillis(long millis) {
            this.stopTimeoutMillis = millis;
            return this;
        }

        /** @param parentPid see {@link RedisServerConfig#guardParentPid()} @return this builder */
        public Builder guardedBy(long parentPid) {
            this.guardParentPid = parentPid;
            return this;
        }

        /** No watchdog: the server lives until closed, even if this process dies. @return this builder */
        public Builder unguarded() {
            return guardedBy(NO_GUARD);
        }

        /** @param enabled see {@link RedisServerConfig#clusterEnabled()} @return this builder */
        public Builder clusterEnabled(boolean enabled) {
            this.clusterEnabled = enabled;
            return this;
        }

        /** @param args see {@link RedisServerConfig#extraArgs()} @return this builder */
        public Builder extraArgs(List<String> args) {
            this.extraArgs = args;
            return this;
        }

        /** @return the validated configuration */
        public RedisServerConfig build() {
            return new RedisServerConfig(bindHost, port, Optional.ofNullable(password), Optional.ofNullable(dir), startTimeoutMillis,
                    stopTimeoutMillis, guardParentPid, clusterEnabled, extraArgs);
        }
    }
}
