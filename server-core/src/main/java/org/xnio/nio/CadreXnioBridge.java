package org.xnio.nio;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The one place where Cadre reaches into XNIO: XNIO opens and binds its own server sockets and has
 * no SO_REUSEPORT option, so this class wraps a socket that Cadre opened and bound itself (with
 * SO_REUSEPORT set before bind) in the same TCP server XNIO would have built around its own
 * socket ({@code NioXnioWorker.createTcpConnectionServer}). It lives in XNIO's package because the
 * constructors it calls are package-private; it is checked against the XNIO release pinned in the
 * parent POM ({@code xnio.version}) by {@code ReusePortListenerTest}.
 *
 * <p>Callable from any thread, once per socket, before the worker is shut down.
 */
public final class CadreXnioBridge {
    private CadreXnioBridge() {
    }

    /**
     * Wraps {@code boundChannel} (already bound, blocking or not) into an XNIO accepting channel
     * served by {@code worker}. Accepts are not resumed; the caller calls {@code resumeAccepts()}.
     * Closing the returned channel closes {@code boundChannel}.
     */
    public static AcceptingChannel<StreamConnection> wrap(XnioWorker worker, ServerSocketChannel boundChannel,
            OptionMap socketOptions, ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener)
            throws IOException {
        if (!(worker instanceof NioXnioWorker nioWorker)) {
            throw new IllegalStateException("Cadre needs XNIO's NIO provider (xnio-nio); found " + worker.getClass().getName());
        }
        boundChannel.configureBlocking(false);
        QueuedNioTcpServer2 server = new QueuedNioTcpServer2(new NioTcpServer(nioWorker, boundChannel, socketOptions, true));
        server.setAcceptListener(acceptListener);
        return server;
    }

    /**
     * The JDK socket under an accepted connection, or {@code null} for another kind of connection.
     * Lets Cadre look for a closed peer (a read of -1) on a connection whose reads XNIO has
     * suspended while its request is being served.
     */
    public static java.nio.channels.SocketChannel socketOf(StreamConnection connection) {
        return connection instanceof NioSocketStreamConnection nio ? nio.getChannel() : null;
    }

    /** Names the thread that accepts connections for every server of {@code worker}. */
    public static void nameAcceptThread(XnioWorker worker, String name) {
        if (worker instanceof NioXnioWorker nioWorker) {
            nioWorker.getAcceptThread().setName(name);
        }
    }
}
