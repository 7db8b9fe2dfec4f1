package io.cadre.state.internal.redis;

import java.util.Objects;

/**
 * How a {@link RedisCluster} runs. Immutable and validated: a bad value fails construction with an
 * {@link IllegalArgumentException} that names the field.
 *
 * @param masters how many master nodes share the 16384 slots evenly. 1 to {@value #MAX_MASTERS}.
 *     Default: 3.
 * @param formTimeoutMillis how long the cluster may take, after its nodes answer, until every node
 *     reports {@code cluster_state:ok}. At least 1. UNIT: ms. Default: 30000.
 * @param node the configuration every node starts from; its port must be 0 (each node picks a free
 *     one), {@code clusterEnabled} is set for it, an empty password becomes one random password
 *     shared by all nodes, and an empty dir one temporary directory shared by all nodes (each
 *     keeps its {@code nodes-<port>.conf} there). Default: {@link RedisServerConfig#defaults()}.
 */
public record RedisClusterConfig(int masters, long formTimeoutMillis, RedisServerConfig node) {
    /** The most masters one cluster runs. */
    public static final int MAX_MASTERS = 64;
    /** The default {@code masters}. */
    public static final int DEFAULT_MASTERS = 3;
    /** The default {@code formTimeoutMillis}. UNIT: ms. */
    public static final long DEFAULT_FORM_TIMEOUT_MILLIS = 30_000;

    /** Validates every field; see the record description for the allowed ranges. */
    public RedisClusterConfig {
        if (masters < 1 || masters > MAX_MASTERS) {
            throw new IllegalArgumentException("masters must be between 1 and " + MAX_MASTERS + ", was " + masters);
        }
        if (formTimeoutMillis < 1) {
            throw new IllegalArgumentException("formTimeoutMillis must be at least 1 ms, was " + formTimeoutMillis);
        }
        Objects.requireNonNull(node, "node must not be null");
        if (node.port() != 0) {
            throw new IllegalArgumentException("node.port must be 0 (each node picks a free port), was " + node.port());
        }
        if (!node.clusterEnabled()) {
            node = node.toBuilder().clusterEnabled(true).build();
        }
    }

    /** @return the configuration with every default: 3 masters */
    public static RedisClusterConfig defaults() {
        return new RedisClusterConfig(DEFAULT_MASTERS, DEFAULT_FORM_TIMEOUT_MILLIS, RedisServerConfig.defaults());
    }

    /** @return the defaults with {@code masters} masters */
    public static RedisClusterConfig ofMasters(int masters) {
        return new RedisClusterConfig(masters, DEFAULT_FORM_TIMEOUT_MILLIS, RedisServerConfig.defaults());
    }
}
