package io.cadre.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpcChannelTest {
    @TempDir
    Path dir;
    SocketChannel client;
    SocketChannel server;

    @BeforeEach
    void connect() throws Exception {
        Path path = dir.resolve("t.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(path));
            server = listener.accept();
        }
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void framesArriveInOrderWhileTheReaderIsBlocked() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        IpcChannel receiver = new IpcChannel(server, "srv");
        receiver.start(listener(got, new CompletableFuture<>()));
        IpcChannel sender = new IpcChannel(client, "cli");
        sender.start(listener(new LinkedBlockingQueue<>(), new CompletableFuture<>()));
        for (int i = 0; i < 100; i++) {
            assertThat(sender.send(new Frame(FrameType.APP, new byte[] {(byte) i}))).isTrue();
        }
        for (int i = 0; i < 100; i++) {
            Frame f = got.poll(10, TimeUnit.SECONDS);
            assertThat(f).isNotNull();
            assertThat(f.payload()[0]).isEqualTo((byte) i);
        }
        // the sender's reader is blocked on its socket all along; writes still went through
        receiver.close();
        sender.close();
    }

    @Test
    void aMalformedFrameClosesTheConnectionAndReportsWhy() throws Exception {
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        IpcChannel receiver = new IpcChannel(server, "srv");
        receiver.start(listener(new LinkedBlockingQueue<>(), closed));
        client.write(ByteBuffer.allocate(4).putInt(-1).flip());
        assertThat(closed.get(10, TimeUnit.SECONDS)).isInstanceOf(MalformedFrameException.class);
        assertThat(receiver.isOpen()).isFalse();
        assertThat(receiver.send(Frame.empty(FrameType.HEARTBEAT))).isFalse();
        assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }

    @Test
    void aCleanEndOfStreamIsReportedWithoutACause() throws Exception {
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        new IpcChannel(server, "srv").start(listener(new LinkedBlockingQueue<>(), closed));
        client.close();
        assertThat(closed.get(10, TimeUnit.SECONDS)).isNull();
    }

    private static IpcChannel.Listener listener(BlockingQueue<Frame> got, CompletableFuture<Throwable> closed) {
        return new IpcChannel.Listener() {
            @Override
            public void onFrame(IpcChannel channel, Frame frame) {
                got.add(frame);
            }

            @Override
            public void onClose(IpcChannel channel, Throwable cause) {
                closed.complete(cause);
            }
        };
    }
}
