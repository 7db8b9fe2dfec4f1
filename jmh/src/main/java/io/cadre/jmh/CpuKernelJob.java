package io.cadre.jmh;

import io.cadre.compute.isolated.IsolatedJob;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.LongUnaryOperator;

/**
 * A {@link CpuKernels} job run in an isolated child JVM, for the {@code processes} model of
 * {@link CpuScalingBenchmark}: the input names the kernel, the units, the seed and, for a warm-up
 * job, how long to run (a few dozen bytes); the output is the 8-byte checksum. Public with a public no-argument constructor so that
 * a child JVM, whose class path is the benchmark JVM's, can load it by name.
 */
public final class CpuKernelJob implements IsolatedJob {
    public CpuKernelJob() {
    }

    /** The input of one job: {@code units} of {@code kernel}. */
    public static byte[] input(String kernel, int units, long seed) {
        return input(kernel, units, seed, 0);
    }

    /** The input of a warm-up job: jobs of {@code units} back to back for {@code millis}. */
    public static byte[] input(String kernel, int units, long seed, long millis) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(kernel);
            out.writeInt(units);
            out.writeLong(seed);
            out.writeLong(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public byte[] run(byte[] input) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(input));
        String kernel = in.readUTF();
        int units = in.readInt();
        long seed = in.readLong();
        long millis = in.readLong();
        LongUnaryOperator k = CpuKernels.of(kernel);
        return ByteBuffer.allocate(8).putLong(millis > 0 ? CpuKernels.warm(k, units, millis) : CpuKernels.job(k, units, seed)).array();
    }
}
