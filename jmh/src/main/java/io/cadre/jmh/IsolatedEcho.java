package io.cadre.jmh;

import io.cadre.compute.isolated.IsolatedJob;

/**
 * The trivial job of {@link IsolatedBenchmark}: returns its input. Public with a public no-argument
 * constructor so that an isolated child JVM, whose class path is the benchmark JVM's (the shaded
 * {@code benchmarks.jar}), can load it by name.
 */
public final class IsolatedEcho implements IsolatedJob {
    public IsolatedEcho() {
    }

    @Override
    public byte[] run(byte[] input) {
        return input;
    }
}
