package io.cadre.jmh;

import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.FrameCodec;
import io.cadre.internal.ipc.FrameType;
import io.cadre.internal.ipc.MalformedFrameException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU cost of Cadre's IPC framing alone (encode and decode of one frame in memory), without
 * the socket: the floor under every primary-worker message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class IpcFrameBenchmark {
    @Param({"64", "4096", "65536", "1048576"})
    public int payloadBytes;

    private Frame frame;

    @Setup
    public void setUp() {
        frame = new Frame(FrameType.APP, new byte[payloadBytes]);
    }

    @Benchmark
    public Frame encodeDecode() throws MalformedFrameException {
        return FrameCodec.decode(FrameCodec.encode(frame));
    }
}
