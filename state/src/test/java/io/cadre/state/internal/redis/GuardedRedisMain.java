package io.cadre.state.internal.redis;

import io.cadre.state.testing.TestRedis;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for a Cadre primary, run as its own JVM by {@link ParentDeathGuardIT}: starts the
 * embedded Redis with the default guard (this process), prints
 * {@code redis pid=P port=N guard=G} and waits to be killed.
 */
public final class GuardedRedisMain {
    private GuardedRedisMain() {
    }

    public static void main(String[] args) throws Exception {
        RedisServer server = TestRedis.server();
        System.out.println("redis pid=" + server.pid() + " port=" + server.port() + " guard=" + server.guardPid().orElse(-1));
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
