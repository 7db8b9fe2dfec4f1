/**
 * Shared state across workers and hosts on Redis (sessions, locks, rate limits, caches), plugged
 * into server-core as an extension. Arrives with the issue "Shared state on Redis".
 */
package io.cadre.state;
