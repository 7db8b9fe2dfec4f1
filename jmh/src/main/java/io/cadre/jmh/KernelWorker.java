package io.cadre.jmh;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.LongUnaryOperator;

/**
 * A worker process of {@link CpuScalingBenchmark}'s {@code processes} model: a JVM of its own that
 * runs kernel jobs back to back, as a Cadre worker JVM serves its own connections without asking
 * the primary, and writes one byte to its standard output after each job (the job's checksum, so
 * the work cannot be dropped), which the benchmark counts; before the first, it runs jobs for
 * PREWARM_MS unreported, to let the JIT compile the kernel. It exits as soon as its standard input
 * closes: when the benchmark stops it, or when the benchmark JVM dies.
 *
 * <p>{@code java -cp CLASSPATH io.cadre.jmh.KernelWorker KERNEL UNITS FIRST_SEED SEED_STRIDE PREWARM_MS}.
 */
public final class KernelWorker {
    private KernelWorker() {
    }

    public static void main(String[] args) throws IOException {
        LongUnaryOperator kernel = CpuKernels.of(args[0]);
        int units = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        long stride = Long.parseLong(args[3]);
        long prewarmMillis = Long.parseLong(args[4]);
        Thread.ofPlatform().daemon(true).name("stdin-watch").start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent; EOF means stop
                }
            } catch (IOException e) {
                // same as EOF
            }
            Runtime.getRuntime().halt(0);
        });
        OutputStream out = new FileOutputStream(FileDescriptor.out); // unbuffered: one write per job
        out.write((int) CpuKernels.warm(kernel, units, prewarmMillis)); // not counted: the benchmark waits for it
        while (true) {
            out.write((int) CpuKernels.job(kernel, units, seed));
            seed += stride;
        }
    }
}
