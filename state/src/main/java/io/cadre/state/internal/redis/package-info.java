/**
 * Cadre's own redis-server processes: {@link io.cadre.state.internal.redis.RedisBinary} finds or
 * extracts the executable, {@link io.cadre.state.internal.redis.RedisServer} runs one on loopback
 * with a random password, no persistence and a parent-death watchdog,
 * {@link io.cadre.state.internal.redis.RedisCluster} forms a cluster of them for tests, and
 * {@link io.cadre.state.internal.redis.Resp} is the tiny RESP client they use to talk to Redis.
 * Internal: the public API in {@code io.cadre.state} uses these classes; applications do not.
 */
package io.cadre.state.internal.redis;
