package io.cadre.state.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.redisson.config.Config;

/**
 * Which Redis the workers use, decided once in the primary and passed to workers through their
 * environment: an external server ({@code --redis URL}), a Redisson YAML file for Sentinel or
 * Cluster ({@code --redis-config FILE}), or the embedded server the primary started. Passwords come
 * from the environment ({@code CADRE_REDIS_PASSWORD}) or the file, never from the command line
 * (which every user of the host can read), and are never part of {@link #describe()}.
 *
 * @param url {@code redis://host:port} or {@code rediss://host:port}, or null with a config file
 * @param username an ACL user from the URL, or null
 * @param password the password, or null
 * @param configFile a Redisson YAML configuration, or null
 */
public record RedisTarget(String url, String username, String password, Path configFile) {
    /** The worker environment variables a target travels in. */
    public static final String ENV_URL = "CADRE_STATE_REDIS_URL";
    public static final String ENV_PASSWORD = "CADRE_STATE_REDIS_PASSWORD";
    public static final String ENV_USER = "CADRE_STATE_REDIS_USER";
    public static final String ENV_CONFIG = "CADRE_STATE_REDIS_CONFIG";
    /** Where an operator puts the password of an external Redis. */
    public static final String ENV_OPERATOR_PASSWORD = "CADRE_REDIS_PASSWORD";

    /** Parses {@code --redis}; fails with {@link IllegalArgumentException} saying what is wrong. */
    public static RedisTarget fromUrl(String text, Map<String, String> env) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--redis '" + mask(text) + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new IllegalArgumentException("--redis must be a redis:// or rediss:// URL, was '" + mask(text) + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--redis '" + mask(text) + "' names no host");
        }
        String user = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            if (info.contains(":")) {
                throw new IllegalArgumentException("--redis must not carry a password (a command line is visible to every user"
                        + " of the host); put it in " + ENV_OPERATOR_PASSWORD + " or in a --redis-config file");
            }
            user = info.isEmpty() ? null : uri.getUserInfo(); // percent-decoded: app%40corp is app@corp
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("--redis '" + mask(text) + "' has a path, query or fragment, which Cadre would"
                    + " not use (it always uses database 0); give only redis://[user@]host[:port], or a --redis-config file"
                    + " (Redisson YAML, where 'database' selects another)");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            throw new IllegalArgumentException("--redis '" + mask(text) + "': port must be 1..65535, was " + uri.getPort());
        }
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        String password = env.get(ENV_OPERATOR_PASSWORD);
        return new RedisTarget(scheme + "://" + uri.getHost() + ":" + port, user, password == null || password.isEmpty() ? null : password,
                null);
    }

    /**
     * Checks {@code --redis-config}: a readable Redisson YAML file that configures one server,
     * Sentinel or Cluster; fails with {@link IllegalArgumentException} (whose message never quotes
     * the file's values, which may hold a password).
     */
    public static RedisTarget fromConfigFile(String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException("--redis-config " + file + " is not a readable file");
        }
        Config config;
        try {
            config = Config.fromYAML(path.toFile());
        } catch (IOException | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("").replaceAll("\"[^\"]*\"", "\"...\"");
            throw new IllegalArgumentException("--redis-config " + file + " is not a Redisson YAML configuration: " + why);
        }
        if (!config.isSingleConfig() && !config.isClusterConfig() && !config.isSentinelConfig()) {
            throw new IllegalArgumentException("--redis-config " + file
                    + " configures no singleServerConfig, sentinelServersConfig or clusterServersConfig");
        }
        return new RedisTarget(null, null, null, path.toAbsolutePath());
    }

    /** The target the primary passed in a worker's environment, if any. */
    public static Optional<RedisTarget> fromWorkerEnv(Map<String, String> env) {
        String config = env.get(ENV_CONFIG);
        if (config != null) {
            return Optional.of(new RedisTarget(null, null, null, Path.of(config)));
        }
        String url = env.get(ENV_URL);
        return url == null ? Optional.empty() : Optional.of(new RedisTarget(url, env.get(ENV_USER), env.get(ENV_PASSWORD), null));
    }

    /** The environment that carries this target to workers. */
    public Map<String, String> workerEnv() {
        if (configFile != null) {
            return Map.of(ENV_CONFIG, configFile.toString());
        }
        java.util.HashMap<String, String> env = new java.util.HashMap<>();
        env.put(ENV_URL, url);
        if (password != null) {
            env.put(ENV_PASSWORD, password);
        }
        if (username != null) {
            env.put(ENV_USER, username);
        }
        return env;
    }

    /** Where it is, without secrets. */
    public String describe() {
        return configFile != null ? "redis config " + configFile : url;
    }

    @Override
    public String toString() {
        return "RedisTarget[" + describe() + "]"; // never the password
    }

    private static String mask(String text) {
        return text.replaceAll("//([^@/]*):[^@/]*@", "//$1:***@");
    }
}
