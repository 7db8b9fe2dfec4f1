package io.cadre.state.internal.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Picks a free TCP port by binding port 0 and closing the socket again. Another program may take
 * it before redis-server binds it; {@link RedisServer} retries then. Safe to call from any thread.
 */
final class FreePort {
    /** The offset of a Redis Cluster node's bus port from its client port. */
    static final int CLUSTER_BUS_OFFSET = 10_000;
    private static final int ATTEMPTS = 100;

    private FreePort() {
    }

    /**
     * A port free on {@code host}; with {@code withBusPort}, also one whose bus port (port + 10000)
     * exists and is free.
     */
    static int pick(String host, boolean withBusPort) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        for (int i = 0; i < ATTEMPTS; i++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(address, 0));
                int port = socket.getLocalPort();
                if (!withBusPort) {
                    return port;
                }
                if (port + CLUSTER_BUS_OFFSET <= 65535 && free(address, port + CLUSTER_BUS_OFFSET)) {
                    return port;
                }
            }
        }
        throw new IOException("found no free port" + (withBusPort ? " with a free cluster bus port" : "") + " on " + host
                + " in " + ATTEMPTS + " attempts");
    }

    private static boolean free(InetAddress address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
