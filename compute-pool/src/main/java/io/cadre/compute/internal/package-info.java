/**
 * The compute pool's implementation; not API. Nothing here is stable: use
 * {@link io.cadre.compute.ComputePool}.
 */
package io.cadre.compute.internal;
