package io.cadre.samples;

import io.cadre.App;
import io.cadre.Cadre;
import io.cadre.state.CadreState;
import io.cadre.state.SessionOptions;

/**
 * The reference app (see docs/architecture.md): the routes that benchmarks and peer comparisons
 * use. Start it with {@code java -jar samples/target/cadre-samples.jar [--port P] [--workers N]
 * [--redis URL]}, or {@code ./cadre.sh start [--port P] [--workers N]}, which builds it first.
 *
 * <p>Sessions ({@code GET /session}) live in Redis through the state module: {@code --redis
 * redis://HOST:PORT} names one (password in {@code CADRE_REDIS_PASSWORD}); without it the primary
 * starts an embedded redis-server on loopback and stops it with itself. Workers connect on the
 * first request that uses a session, so the other routes never touch Redis.
 */
public final class ReferenceApp {
    private ReferenceApp() {
    }

    public static App app() {
        CadreState state = CadreState.builder().sessions(SessionOptions.DEFAULTS).build();
        return App.builder().extension(state).routes(new ReferenceRoutes()).build();
    }

    public static void main(String[] args) {
        Cadre.run(app(), args);
    }
}
