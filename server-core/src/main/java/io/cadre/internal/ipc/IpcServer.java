package io.cadre.internal.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's IPC endpoint: a Unix domain socket in a private (0700) directory. Each accepted
 * connection is checked with SO_PEERCRED; only processes of the primary's own user get through, the
 * rest are logged and closed. Authentication of the worker itself (its token) is the caller's job.
 * Accepts on one virtual thread, {@code cadre-ipc-accept}.
 */
public final class IpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IpcServer.class);

    private final ServerSocketChannel server;
    private final Path path;
    private final UserPrincipal allowedUser;
    private final Consumer<SocketChannel> onAccept;

    private IpcServer(ServerSocketChannel server, Path path, UserPrincipal allowedUser, Consumer<SocketChannel> onAccept) {
        this.server = server;
        this.path = path;
        this.allowedUser = allowedUser;
        this.onAccept = onAccept;
    }

    /** Binds {@code path} (its parent must be a private directory) and starts accepting. */
    public static IpcServer open(Path path, UserPrincipal allowedUser, Consumer<SocketChannel> onAccept) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            if (e.getMessage() != null && e.getMessage().contains("path too long")) {
                // sun_path holds 107 bytes: a deep CADRE_RUNTIME_DIR or TMPDIR cannot hold a socket
                throw new IOException("the socket path " + path + " is longer than a Unix domain socket allows (107 bytes);"
                        + " set CADRE_RUNTIME_DIR to a shorter directory", e);
            }
            throw e;
        }
        IpcServer ipc = new IpcServer(server, path, allowedUser, onAccept);
        Thread.ofVirtual().name("cadre-ipc-accept").start(ipc::acceptLoop);
        return ipc;
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.warn("IPC accept failed: {}", e.toString());
                    try {
                        Thread.sleep(100); // out of file descriptors, say: neither spin nor flood the log
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                    continue;
                }
                return;
            }
            try {
                UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
                if (!peer.user().equals(allowedUser)) {
                    log.warn("refused an IPC connection from user {}: only {} may connect", peer.user().getName(), allowedUser.getName());
                    channel.close();
                    continue;
                }
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("refused an IPC connection whose peer could not be checked: {}", e.toString());
                closeQuietly(channel);
                continue;
            }
            try {
                onAccept.accept(channel);
            } catch (RuntimeException e) {
                log.error("IPC connection handler failed", e);
                closeQuietly(channel);
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("could not delete {}", path, e);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("close failed", e);
        }
    }
}
