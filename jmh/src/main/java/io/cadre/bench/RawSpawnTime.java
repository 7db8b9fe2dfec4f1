package io.cadre.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The floor under {@link SpawnTime} on this machine: fork a plain JVM running {@link RawUndertowHello}
 * (no Cadre, no AOT cache, JVM defaults) and time it to its first 200 on a fresh connection, with the
 * client retrying 1 ms after each refused connection. Usage: {@code RawSpawnTime [RUNS]}.
 */
public final class RawSpawnTime {
    private RawSpawnTime() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            int port = 18700 + i;
            long start = System.nanoTime();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RawUndertowHello.class.getName(),
                    Integer.toString(port)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                while (!Cluster.get(port, "/")) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("the raw server exited with " + p.exitValue());
                    }
                    Thread.sleep(1);
                }
                times.add((System.nanoTime() - start) / 1_000_000);
                System.out.printf("run %2d: raw Undertow JVM fork to first response %d ms%n", i + 1, times.getLast());
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
        Collections.sort(times);
        System.out.printf("raw Undertow fork to first response over %d runs: median %d ms, min %d ms, max %d ms%n",
                runs, times.get(runs / 2), times.getFirst(), times.getLast());
    }
}
