package io.cadre.internal.primary;

import io.cadre.internal.util.Proc;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;

/**
 * Holds the cluster's port for the life of the primary, so that nothing else takes it between
 * worker restarts and no second Cadre cluster joins the SO_REUSEPORT group by mistake.
 *
 * <ul>
 *   <li>A lock file {@code port-<P>.lock} in the runtime directory, locked with {@code flock} and
 *       holding the primary's pid: a second Cadre primary of this user finds it and is refused with
 *       that pid. The kernel drops the lock when the primary dies, even by SIGKILL.</li>
 *   <li>A probe bind without SO_REUSEPORT: it fails when anything holds the port (another program,
 *       or a Cadre cluster whose lock lives elsewhere, which {@code /proc} then names).</li>
 *   <li>A guard socket, bound with SO_REUSEPORT but never listening: it keeps the port reserved
 *       while no worker listens, and for port 0 it is how the primary picks the port once.</li>
 * </ul>
 */
final class PortReservation implements AutoCloseable {
    /** The port is taken; the message is one line for the user. */
    static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    private final FileChannel lockFile;
    private final FileLock lock;
    private final SocketChannel guard;
    private final int port;

    private PortReservation(FileChannel lockFile, FileLock lock, SocketChannel guard, int port) {
        this.lockFile = lockFile;
        this.lock = lock;
        this.guard = guard;
        this.port = port;
    }

    static PortReservation acquire(Path runtimeBase, String host, int requestedPort) throws RefusedException, IOException {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new RefusedException("cannot bind host '" + host + "': unknown host");
        }
        FileChannel lockFile = null;
        FileLock lock = null;
        SocketChannel guard = null;
        boolean ok = false;
        try {
            if (requestedPort != 0) {
                lockFile = openLockFile(runtimeBase, requestedPort);
                lock = tryLock(lockFile);
                if (lock == null) {
                    throw new RefusedException(servedBy(requestedPort, readPid(lockFile)));
                }
                writePid(lockFile); // at once: a primary refused from now on names this one, not an earlier holder
                probe(address, requestedPort);
            }
            guard = SocketChannel.open(address instanceof java.net.Inet6Address
                    ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
            guard.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            try {
                guard.bind(new InetSocketAddress(address, requestedPort));
            } catch (BindException e) {
                throw new RefusedException(bindRefused(host, requestedPort, e));
            }
            int port = ((InetSocketAddress) guard.getLocalAddress()).getPort();
            if (lockFile == null) {
                lockFile = openLockFile(runtimeBase, port);
                lock = tryLock(lockFile);
                if (lock == null) {
                    throw new RefusedException(servedBy(port, readPid(lockFile)));
                }
                writePid(lockFile);
            }
            ok = true;
            return new PortReservation(lockFile, lock, guard, port);
        } finally {
            if (!ok) {
                closeQuietly(guard);
                closeQuietly(lockFile);
            }
        }
    }

    int port() {
        return port;
    }

    private static void probe(InetAddress address, int port) throws RefusedException, IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(address, port), 1);
        } catch (BindException e) {
            throw new RefusedException(cadrePrimaryOn(port)
                    .map(pid -> servedBy(port, Optional.of(pid)))
                    .orElseGet(() -> bindRefused(address.getHostAddress(), port, e)));
        }
    }

    /** The pid of the Cadre primary whose workers listen on {@code port}, found through /proc. */
    private static Optional<Long> cadrePrimaryOn(int port) {
        Set<Long> listeners = Proc.listenersOf(port);
        for (long pid : listeners) {
            Optional<String> primary = Proc.environ(pid, "CADRE_PRIMARY_PID");
            if (primary.isPresent()) {
                try {
                    return Optional.of(Long.parseLong(primary.get()));
                } catch (NumberFormatException e) {
                    // not a Cadre worker after all
                }
            }
        }
        return Optional.empty();
    }

    static String servedBy(int port, Optional<Long> pid) {
        return "port " + port + " is already served by a running Cadre cluster"
                + pid.map(p -> " (primary pid " + p + ")").orElse("")
                + "; stop it first" + pid.map(p -> " (kill -TERM " + p + ")").orElse("") + " or choose another --port";
    }

    /**
     * Why a bind failed, in one line: "in use" only when the OS says so; a port below 1024 without
     * the privilege, or a host address this machine does not have, get the OS's own reason.
     */
    static String bindRefused(String host, int port, BindException e) {
        String why = String.valueOf(e.getMessage());
        if (why.contains("Address already in use")) {
            return inUse(host, port);
        }
        return "cannot bind port " + port + " on " + host + ": " + why
                + (why.contains("Permission denied") ? " (ports below 1024 need CAP_NET_BIND_SERVICE or root)" : "")
                + (why.contains("Cannot assign requested address") ? " (this machine has no such address; check --host)" : "");
    }

    static String inUse(String host, int port) {
        return "port " + port + " on " + host + " is in use by another program; choose another --port";
    }

    private static FileChannel openLockFile(Path base, int port) throws IOException {
        return FileChannel.open(base.resolve("port-" + port + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** The lock, or null when another process (or this one) holds it. */
    private static FileLock tryLock(FileChannel file) throws IOException {
        try {
            return file.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    static Optional<Long> readPid(FileChannel file) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            file.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            if (text.isEmpty()) {
                return Optional.empty();
            }
            long pid = Long.parseLong(text);
            // a pid from a holder that is gone is not named (it may belong to another process by now)
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void writePid(FileChannel file) throws IOException {
        file.truncate(0);
        file.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        file.force(false);
    }

    @Override
    public void close() {
        closeQuietly(guard);
        try {
            if (lock != null) {
                lockFile.truncate(0); // no stale pid for the next reader (the file stays: deleting a lock file races)
                lock.release();
            }
        } catch (IOException e) {
            // released when the file closes
        }
        closeQuietly(lockFile);
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
