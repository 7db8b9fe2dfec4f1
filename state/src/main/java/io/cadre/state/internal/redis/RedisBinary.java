package io.cadre.state.internal.redis;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A redis-server executable that runs on this machine, and the version it reports.
 *
 * <p>{@link #locate(Path, Path)} looks, in order, at an explicit path, at {@code redis-server} on
 * {@code PATH} (kept only if {@code redis-server --version} works), and at the binary shipped in the
 * {@code org.signal:embedded-redis} jar, which {@link EmbeddedRedisBinary} extracts into a private
 * directory (Linux x86_64 and arm64 only). Every method is safe to call from any thread.
 *
 * @param path the executable
 * @param version the version it reports, e.g. {@code 7.0.15}
 * @param source where it was found
 */
public record RedisBinary(Path path, String version, Source source) {
    private static final Logger log = LoggerFactory.getLogger(RedisBinary.class);
    private static final Pattern VERSION = Pattern.compile("\\bv=(\\d+\\.\\d+(?:\\.\\d+)?\\S*)");
    private static final long VERSION_TIMEOUT_MILLIS = 5_000;

    /** Where a binary was found. */
    public enum Source {
        /** The path the caller gave. */
        EXPLICIT,
        /** {@code redis-server} on {@code PATH}. */
        PATH,
        /** Extracted from the embedded-redis jar. */
        EMBEDDED
    }

    public RedisBinary {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(source, "source");
        if (!VERSION.matcher("v=" + version).lookingAt()) {
            throw new IllegalArgumentException("not a Redis version: " + version);
        }
    }

    /** The major version, e.g. 7 for {@code 7.0.15}. */
    public int majorVersion() {
        return Integer.parseInt(version.substring(0, version.indexOf('.')));
    }

    /** The first of: {@code redis-server} on {@code PATH}, the embedded binary extracted into {@code extractDir}. */
    public static RedisBinary locate(Path extractDir) throws IOException {
        return locate(null, extractDir);
    }

    /**
     * Finds a redis-server: {@code explicit} when not null (it must run), else {@code redis-server}
     * on {@code PATH}, else the embedded binary extracted into {@code extractDir}.
     *
     * @param explicit a redis-server chosen by the user, or null
     * @param extractDir a private directory (created 0700 when missing) for the embedded binary
     * @throws UnsupportedOperationException when nothing fits and this is not Linux x86_64/arm64
     * @throws IOException when the explicit binary does not run, or extraction fails
     */
    public static RedisBinary locate(Path explicit, Path extractDir) throws IOException {
        return locate(explicit, extractDir, System.getenv("PATH"));
    }

    static RedisBinary locate(Path explicit, Path extractDir, String pathEnv) throws IOException {
        if (explicit != null) {
            return of(explicit, Source.EXPLICIT);
        }
        Optional<RedisBinary> onPath = onPath(pathEnv);
        if (onPath.isPresent()) {
            return onPath.get();
        }
        return EmbeddedRedisBinary.extract(extractDir);
    }

    /**
     * The redis-server shipped in the embedded-redis jar, extracted into {@code extractDir} (created
     * 0700 when missing) unless an identical file is already there, and checked to run.
     *
     * @throws UnsupportedOperationException when this is not Linux x86_64 or arm64
     */
    public static RedisBinary embedded(Path extractDir) throws IOException {
        return EmbeddedRedisBinary.extract(extractDir);
    }

    /** The first {@code redis-server} in the directories of {@code pathEnv} that runs and reports a version. */
    public static Optional<RedisBinary> onPath(String pathEnv) {
        if (pathEnv == null || pathEnv.isBlank()) {
            return Optional.empty();
        }
        for (String dir : pathEnv.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, "redis-server");
            if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
                continue;
            }
            try {
                return Optional.of(of(candidate, Source.PATH));
            } catch (IOException e) {
                log.debug("ignoring {} on PATH: {}", candidate, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The binary at {@code path}, checked by running {@code path --version}. */
    public static RedisBinary of(Path path, Source source) throws IOException {
        Path absolute = path.toAbsolutePath();
        if (!Files.isRegularFile(absolute, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(absolute)) {
            throw new IOException("redis-server " + absolute + " does not exist");
        }
        String output = versionOutput(absolute);
        Matcher m = VERSION.matcher(output);
        if (!m.find()) {
            throw new IOException(absolute + " --version printed no Redis version: " + output.strip());
        }
        return new RedisBinary(absolute, m.group(1), source);
    }

    private static String versionOutput(Path binary) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
                p.getOutputStream().close();
                try {
                    if (!p.waitFor(VERSION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                        p.destroyForcibly();
                        throw new IOException(binary + " --version did not answer within " + VERSION_TIMEOUT_MILLIS + " ms");
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while running " + binary + " --version", e);
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IOException(binary + " --version exited with " + p.exitValue() + ": " + out.strip());
                }
                return out;
            } catch (IOException e) {
                // ETXTBSY: a process forked elsewhere in this JVM still held the file open for writing.
                if (attempt >= 5 || e.getMessage() == null || !e.getMessage().contains("Text file busy")) {
                    throw e;
                }
                sleepQuietly(20L * attempt);
            }
        }
    }

    private static void sleepQuietly(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The name, at the jar root, of the embedded binary for {@code osName} and {@code osArch}. */
    static String resourceName(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            if (arch.equals("amd64") || arch.equals("x86_64")) {
                return EmbeddedRedisBinary.RESOURCE_PREFIX + "linux-amd64";
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return EmbeddedRedisBinary.RESOURCE_PREFIX + "linux-arm64";
            }
        }
        throw new UnsupportedOperationException("the embedded Redis needs Linux x86_64 or arm64, and this is " + osName + " "
                + osArch + "; install redis-server on PATH or pass a Redis URL instead");
    }
}
