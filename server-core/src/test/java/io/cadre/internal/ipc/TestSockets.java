package io.cadre.internal.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

/** Connected Unix socket pairs and a collecting listener, for tests of IPC channels and what uses them. */
public final class TestSockets {
    private TestSockets() {
    }

    /** A connected pair through {@code path}: the client's end, then the server's. */
    public static SocketChannel[] pair(Path path) throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(path));
            return new SocketChannel[] {client, listener.accept()};
        }
    }

    /** A listener that puts every frame in {@code got} and completes {@code closed} with the end's cause. */
    public static IpcChannel.Listener collecting(BlockingQueue<Frame> got, CompletableFuture<Throwable> closed) {
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
