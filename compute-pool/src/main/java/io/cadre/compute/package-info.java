/**
 * The bounded in-process compute pool for CPU-heavy work: {@code @CpuBound} routes run on it, and
 * code without HTTP uses it directly.
 *
 * <p>The entry type is {@link io.cadre.compute.ComputePool}; it is configured by an immutable
 * {@link io.cadre.compute.ComputePoolConfig} and hands out {@link io.cadre.compute.Lane}s, one
 * per caller (route), each with its own {@link io.cadre.compute.LaneOptions} limits. A refused
 * task fails its future with a {@link io.cadre.compute.ComputeRejectedException} that says why
 * and when to retry. Everything under {@code io.cadre.compute.internal} is implementation.
 */
package io.cadre.compute;
