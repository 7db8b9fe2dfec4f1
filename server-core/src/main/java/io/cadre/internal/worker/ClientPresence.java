package io.cadre.internal.worker;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.xnio.nio.CadreXnioBridge;

/**
 * Whether the client of a request is still connected, asked just before a queued compute task
 * would run. Undertow suspends reads while a request is served, so it would notice a client that
 * hung up only when it writes the response; this looks at the socket instead: one non-blocking
 * read. End of stream or an error means the client is gone. Bytes that arrive (a pipelined next
 * request) are handed to Undertow as the connection's extra bytes, exactly where its own reader
 * would have put them, so nothing is lost. Plain HTTP/1.1 connections only; for any other kind the
 * answer is "still there". Called on a compute thread, while the IO thread leaves this connection
 * alone (its reads are suspended and its exchange is not finished).
 */
final class ClientPresence {
    private ClientPresence() {
    }

    static boolean stillThere(HttpServerExchange exchange) {
        if (!exchange.getConnection().isOpen()) {
            return false;
        }
        if (!(exchange.getConnection() instanceof HttpServerConnection connection) || connection.getExtraBytes() != null) {
            return true; // not ours to probe, or the client already sent more: it is there
        }
        SocketChannel socket = CadreXnioBridge.socketOf(connection.getChannel());
        if (socket == null) {
            return true;
        }
        PooledByteBuffer pooled = connection.getByteBufferPool().allocate();
        boolean keep = false;
        try {
            ByteBuffer buffer = pooled.getBuffer();
            buffer.clear();
            int n = socket.read(buffer);
            if (n < 0) {
                return false;
            }
            if (n > 0) {
                buffer.flip();
                connection.setExtraBytes(pooled);
                keep = true;
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            if (!keep) {
                pooled.close();
            }
        }
    }
}
