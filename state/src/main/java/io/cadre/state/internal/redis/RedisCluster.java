package io.cadre.state.internal.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of masters on loopback, each a {@link RedisServer} of its own, formed with
 * Cadre's {@link Resp} client: distinct config epochs, {@code CLUSTER ADDSLOTSRANGE} (or
 * {@code ADDSLOTS} before Redis 7) to split the 16384 slots evenly, {@code CLUSTER MEET}, and a wait
 * until every node reports {@code cluster_state:ok} with every slot covered. All nodes share one
 * password ({@code requirepass} and {@code masterauth}). For tests and integration tests that need
 * a cluster; the primary never runs one.
 *
 * <p>{@link #start} and {@link #close} may be called from any thread; {@link #close} is idempotent.
 * The nodes that {@link #nodes()} returns are {@link RedisServer}s, with their own thread-safety.
 */
public final class RedisCluster implements AutoCloseable {
    /** The number of hash slots of every Redis Cluster. */
    public static final int SLOTS = 16384;

    private final List<RedisServer> nodes;
    private final String password;
    private final Path dir;
    private final boolean ownDir;
    private boolean closed;

    private RedisCluster(List<RedisServer> nodes, String password, Path dir, boolean ownDir) {
        this.nodes = List.copyOf(nodes);
        this.password = password;
        this.dir = dir;
        this.ownDir = ownDir;
    }

    /** Starts {@code config.masters()} nodes, forms the cluster and waits until it is ok; on failure nothing is left running. */
    public static RedisCluster start(RedisBinary binary, RedisClusterConfig config) throws IOException {
        RedisServerConfig node = config.node();
        String password = node.password().orElseGet(RedisServer::randomPassword);
        Path dir = node.dir().isPresent() ? node.dir().get() : Files.createTempDirectory("cadre-redis-cluster-");
        RedisServerConfig nodeConfig = node.toBuilder().password(password).dir(dir).build();
        boolean ownDir = node.dir().isEmpty();
        List<RedisServer> started = new ArrayList<>();
        try {
            for (int i = 0; i < config.masters(); i++) {
                started.add(RedisServer.start(binary, nodeConfig));
            }
            RedisCluster cluster = new RedisCluster(started, password, dir, ownDir);
            cluster.form();
            cluster.awaitOk(config.formTimeoutMillis());
            return cluster;
        } catch (IOException | RuntimeException e) {
            started.forEach(RedisServer::close);
            if (ownDir) {
                Dirs.deleteTree(dir);
            }
            throw e;
        }
    }

    /** Starts the default cluster (3 masters) of {@code binary}. */
    public static RedisCluster start(RedisBinary binary) throws IOException {
        return start(binary, RedisClusterConfig.defaults());
    }

    private void form() throws IOException {
        int n = nodes.size();
        for (int i = 0; i < n; i++) {
            RedisServer node = nodes.get(i);
            int first = i * SLOTS / n;
            int last = (i + 1) * SLOTS / n - 1;
            try (Resp resp = node.connect(5_000)) {
                resp.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
                if (node.binary().majorVersion() >= 7) {
                    resp.call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last));
                } else {
                    List<String> cmd = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
                    for (int s = first; s <= last; s++) {
                        cmd.add(Integer.toString(s));
                    }
                    resp.call(cmd.toArray(String[]::new));
                }
            }
        }
        try (Resp resp = nodes.get(0).connect(5_000)) {
            for (RedisServer other : nodes.subList(1, n)) {
                resp.call("CLUSTER", "MEET", other.host(), Integer.toString(other.port()));
            }
        }
    }

    /**
     * Waits until every node reports {@code cluster_state:ok}, all {@value #SLOTS} slots ok and
     * knows every other node, e.g. after a node was restarted.
     *
     * @throws IOException when that does not happen within {@code timeoutMillis} (UNIT: ms)
     */
    public void awaitOk(long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String last = "";
        while (true) {
            boolean ok = true;
            for (RedisServer node : nodes) {
                Map<String, String> info = info(node);
                ok &= "ok".equals(info.get("cluster_state")) && Integer.toString(SLOTS).equals(info.get("cluster_slots_ok"))
                        && Integer.toString(nodes.size()).equals(info.get("cluster_known_nodes"));
                last = node.uri() + " " + info;
                if (!ok) {
                    break;
                }
            }
            if (ok) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("the Redis cluster did not become ok within " + timeoutMillis + " ms; last seen: " + last);
            }
            RedisProcess.sleep(20);
        }
    }

    /** {@code CLUSTER INFO} of {@code node} as a map; empty when it does not answer. */
    public static Map<String, String> info(RedisServer node) {
        try (Resp resp = node.connect(1_000)) {
            Object reply = resp.call("CLUSTER", "INFO");
            return ((String) reply).lines().filter(l -> l.contains(":"))
                    .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).strip(),
                            (a, b) -> b));
        } catch (IOException | ClassCastException e) {
            return Map.of();
        }
    }

    public List<RedisServer> nodes() {
        return nodes;
    }

    /** Every node's {@code redis://127.0.0.1:PORT}, without the password. */
    public List<String> nodeUris() {
        return nodes.stream().map(RedisServer::uri).toList();
    }

    /** The password every node shares. */
    public String password() {
        return password;
    }

    /** Stops every node and deletes a temporary directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        nodes.forEach(RedisServer::close);
        if (ownDir) {
            Dirs.deleteTree(dir);
        }
    }
}
