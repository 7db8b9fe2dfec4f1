package io.cadre.jmh;

import java.io.IOException;

/**
 * The idle JVM of {@link MemoryPerUnitBenchmark}'s {@code jvm} unit: prints {@code ready}, then
 * does nothing until its standard input closes, and exits. The floor under a worker JVM: the JVM
 * itself with Cadre's worker options, without Undertow, Cadre or the app loaded.
 */
public final class IdleJvm {
    private IdleJvm() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for EOF: the benchmark closed our stdin, or died
        }
    }
}
