package io.cadre.internal.worker;

import io.cadre.App;
import io.cadre.CadreConfig;
import java.net.InetSocketAddress;
import java.util.Map;

/** One worker's HTTP server in the test JVM, on a free loopback port, without a primary. */
final class TestServer implements AutoCloseable {
    final WorkerServer server;
    final ServerState state = new ServerState();
    final int port;

    TestServer(App app, CadreConfig config) throws Exception {
        this(app, config, (WarmUpRequests.Plan) null);
    }

    /** With {@code warmedUp}: started as a replacement worker, which warms up first when the config names paths. */
    TestServer(App app, CadreConfig config, java.util.function.Consumer<WarmUpRequests.Result> warmedUp) throws Exception {
        this(app, config, warmedUp == null ? null
                : new WarmUpRequests.Plan(config.supervision().bootTimeoutMillis() / 4, () -> false, warmedUp));
    }

    /** With {@code plan}: started as a replacement worker that warms up by that plan. */
    TestServer(App app, CadreConfig config, WarmUpRequests.Plan plan) throws Exception {
        if (!app.problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", app.problems()));
        }
        server = WorkerServer.start(app, config, 1, new InetSocketAddress("127.0.0.1", 0), new WorkerHandle(1, 1, Map.of()), state,
                () -> { }, plan);
        port = server.address().getPort();
    }

    @Override
    public void close() {
        server.stop(100, 1_000);
    }
}
