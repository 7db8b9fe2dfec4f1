package io.cadre.jmh;

import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.FrameType;
import io.cadre.internal.ipc.IpcChannel;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A primary-worker message round trip: an app message ({@code APP} frame) of 64 B to 1 MB sent
 * over Cadre's IPC channel (a Unix domain socket, the channel's writer and reader threads, the
 * framing) and echoed back by the other end. Both ends live in this JVM, so it is the channel's
 * cost without a second process's scheduling; {@code IpcFrameBenchmark} is the framing alone.
 * Run: {@code java -jar jmh/target/benchmarks.jar IpcRoundTripBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IpcRoundTripBenchmark {
    @Param({"64", "4096", "65536", "1048576"})
    public int payloadBytes;

    private Path dir;
    private ServerSocketChannel server;
    private IpcChannel primary;
    private IpcChannel worker;
    private Frame frame;
    private final AtomicReference<CompletableFuture<Frame>> waiting = new AtomicReference<>();

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("cadre-ipc-bench");
        Path path = dir.resolve("ipc.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        client.connect(UnixDomainSocketAddress.of(path));
        SocketChannel accepted = server.accept();
        primary = new IpcChannel(accepted, "bench-primary");
        primary.start(new IpcChannel.Listener() {
            @Override
            public void onFrame(IpcChannel channel, Frame f) {
                channel.send(f); // the primary answers every message with the same bytes
            }

            @Override
            public void onClose(IpcChannel channel, Throwable cause) {
                // the trial ends
            }
        });
        worker = new IpcChannel(client, "bench-worker");
        worker.start(new IpcChannel.Listener() {
            @Override
            public void onFrame(IpcChannel channel, Frame f) {
                CompletableFuture<Frame> w = waiting.getAndSet(null);
                if (w != null) {
                    w.complete(f);
                }
            }

            @Override
            public void onClose(IpcChannel channel, Throwable cause) {
                CompletableFuture<Frame> w = waiting.getAndSet(null);
                if (w != null) {
                    w.completeExceptionally(new IOException("channel closed", cause));
                }
            }
        });
        frame = new Frame(FrameType.APP, new byte[payloadBytes]);
    }

    @Benchmark
    public Frame roundTrip() throws Exception {
        CompletableFuture<Frame> answer = new CompletableFuture<>();
        waiting.set(answer);
        if (!worker.send(frame)) {
            throw new IllegalStateException("the IPC queue refused the frame");
        }
        return answer.get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        worker.close();
        primary.close();
        server.close();
        Files.deleteIfExists(dir.resolve("ipc.sock"));
        Files.deleteIfExists(dir);
    }
}
