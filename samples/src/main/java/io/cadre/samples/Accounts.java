package io.cadre.samples;

import io.cadre.App;
import io.cadre.Cadre;
import io.cadre.GET;
import io.cadre.HttpException;
import io.cadre.POST;
import io.cadre.Worker;
import io.cadre.state.CadreState;
import io.cadre.state.RateLimit;
import io.cadre.state.Session;
import io.cadre.state.SessionOptions;
import io.cadre.state.SharedCache;
import java.time.Duration;
import java.util.List;

/**
 * A small service that shows Cadre's shared state (the state module): sessions that every worker
 * sees, a login that rotates the session id, a rate limit, and a lock around a read-modify-write.
 * Whichever worker a request lands on, it sees the same sessions, budgets and counter, because
 * they live in Redis.
 *
 * <ul>
 *   <li>{@code GET /visits}: counts this session's visits ({@link Session#increment}); works
 *       before login too, and starts the session.</li>
 *   <li>{@code POST /login} with {@code {"user": "alice"}}: stores the user in the session and
 *       gives the session a new id ({@link Session#regenerate}), so an id planted in the browser
 *       before login (session fixation) never becomes a logged-in one. Attributes, such as the
 *       visit count, are kept.</li>
 *   <li>{@code GET /me}: the logged-in user (and the pid of the worker that answered); 401 when
 *       not logged in.</li>
 *   <li>{@code POST /logout}: ends the session and clears the cookie.</li>
 *   <li>{@code GET /quote}: at most {@value #QUOTES_PER_MINUTE} calls a minute per client IP,
 *       across every worker; then 429 with {@code Retry-After} ({@link RateLimit}).</li>
 *   <li>{@code POST /counter}: reads a counter from a shared cache, adds one and writes it back,
 *       holding a lock across workers ({@link CadreState#withLock}); without the lock two workers
 *       would read the same value and one increment would be lost.</li>
 * </ul>
 *
 * <p>Start it with {@code ./cadre.sh build} (or {@code mvn -DskipTests package}) and then
 * {@code java -cp samples/target/cadre-samples.jar io.cadre.samples.Accounts --port 8080}. With no
 * {@code --redis redis://HOST:PORT}, the primary starts an embedded redis-server on loopback and
 * stops it with itself. Try it with curl, keeping the cookie:
 * {@code curl -c jar -b jar -d '{"user":"alice"}' -H 'Content-Type: application/json'
 * localhost:8080/login}, then {@code curl -b jar localhost:8080/me}.
 */
public final class Accounts {
    /** {@code /quote}'s budget per client IP and minute. */
    public static final int QUOTES_PER_MINUTE = 5;
    /** How long {@code /counter} waits for the lock before it answers 503. */
    static final Duration COUNTER_WAIT = Duration.ofSeconds(5);
    /** How long the counter lives in Redis after its last change. */
    static final Duration COUNTER_TTL = Duration.ofDays(1);

    private Accounts() {
    }

    /** What {@code /login} takes. */
    public record Login(String user) {
    }

    /** Who logged in. */
    public record User(String user) {
    }

    /** What {@code /me} answers: who is logged in, and which worker answered. */
    public record Me(String user, long pid) {
    }

    /** What {@code /visits} answers. */
    public record Visits(long visits) {
    }

    /** What {@code /quote} answers. */
    public record Quote(String text) {
    }

    /** What {@code /counter} answers: the value after this request's increment, and the worker that made it. */
    public record Counter(long value, long pid) {
    }

    public static final class AccountRoutes {
        private static final List<String> QUOTES = List.of(
                "Simplicity is prerequisite for reliability.",
                "Premature optimization is the root of all evil.",
                "Make it work, make it right, make it fast.");

        private final CadreState state;
        private final SharedCache<Long> counters;

        AccountRoutes(CadreState state) {
            this.state = state;
            this.counters = state.cache("counters", Long.class, COUNTER_TTL);
        }

        @GET("/visits")
        public Visits visits(Session session) {
            return new Visits(session.increment("visits", 1));
        }

        @POST("/login")
        public User login(Login login, Session session) {
            if (login == null || login.user() == null || login.user().isBlank()) {
                throw new HttpException(400, "JSON field 'user' is required");
            }
            // a new id first: whatever id the client came with stops working (session fixation)
            session.regenerate();
            session.put("user", login.user());
            return new User(login.user());
        }

        @GET("/me")
        public Me me(Session session, Worker worker) {
            return session.get("user", String.class)
                    .map(user -> new Me(user, worker.pid()))
                    .orElseThrow(() -> new HttpException(401, "not logged in"));
        }

        @POST("/logout")
        public void logout(Session session) {
            session.invalidate();
        }

        @GET("/quote")
        @RateLimit(limit = QUOTES_PER_MINUTE, windowSeconds = 60, key = RateLimit.Key.IP)
        public Quote quote() {
            return new Quote(QUOTES.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(QUOTES.size())));
        }

        /** A read, an add and a write under one lock: exact however many workers serve it at once. */
        @POST("/counter")
        public Counter counter(Worker worker) throws Exception {
            long value = state.withLock("counter", COUNTER_WAIT, () -> {
                long next = counters.get("counter").orElse(0L) + 1;
                counters.put("counter", next);
                return next;
            });
            return new Counter(value, worker.pid());
        }
    }

    public static App app() {
        CadreState state = CadreState.builder().sessions(SessionOptions.DEFAULTS).build();
        return App.builder()
                .extension(state)
                .routes(new AccountRoutes(state))
                .build();
    }

    public static void main(String[] args) {
        Cadre.run(app(), args);
    }
}
