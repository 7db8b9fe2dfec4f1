package io.cadre.state.internal;

import io.cadre.state.internal.redis.RedisBinary;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.internal.redis.RedisServerConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The embedded default, in the primary: a {@code redis-server} (one on {@code PATH}, else the
 * binary shipped in the embedded-redis jar, extracted into the private runtime directory) on
 * 127.0.0.1 and a free port, with a random password and no persistence, guarded so that it dies
 * within seconds of a primary killed with SIGKILL. Stopped with the primary.
 */
public final class EmbeddedRedisService implements AutoCloseable {
    private final RedisServer server;

    private EmbeddedRedisService(RedisServer server) {
        this.server = server;
    }

    public static EmbeddedRedisService start(Path runtimeBase) throws IOException {
        RedisBinary binary = RedisBinary.locate(runtimeBase.resolve("redis"));
        RedisServer server = RedisServer.start(binary, RedisServerConfig.builder()
                .guardedBy(ProcessHandle.current().pid())
                .build());
        return new EmbeddedRedisService(server);
    }

    public RedisTarget target() {
        return new RedisTarget("redis://" + server.host() + ":" + server.port(), null, server.password(), null);
    }

    public String describe() {
        return "embedded redis-server " + server.version() + " on " + server.host() + ":" + server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
