/**
 * Shared state across workers and hosts on Redis, through Redisson: sessions, locks, rate limits
 * and caches. The entry type is {@link io.cadre.state.CadreState}, an {@link io.cadre.Extension}:
 * register it with {@code App.Builder.extension}. With no Redis configured, the primary starts an
 * embedded {@code redis-server} (loopback, random password, no persistence) and workers use it.
 */
package io.cadre.state;
