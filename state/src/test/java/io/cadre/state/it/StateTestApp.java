package io.cadre.state.it;

import io.cadre.App;
import io.cadre.Cadre;
import io.cadre.GET;
import io.cadre.POST;
import io.cadre.QueryParam;
import io.cadre.Request;
import io.cadre.state.CadreState;
import io.cadre.state.RateLimit;
import io.cadre.state.Session;
import io.cadre.state.SessionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.redisson.api.RBucket;
import org.redisson.client.codec.StringCodec;

/**
 * The app the state integration tests run as a real cluster: sessions on, a rate-limited route
 * failing closed and one failing open, a lock-protected read-modify-write counter, and a route
 * that never touches state. {@code TEST_DEADLINE_MS} sets the state deadline.
 */
public final class StateTestApp {
    private StateTestApp() {
    }

    public static void main(String[] args) {
        CadreState.Builder builder = CadreState.builder().sessions(SessionOptions.DEFAULTS);
        String deadline = System.getenv("TEST_DEADLINE_MS");
        if (deadline != null) {
            builder.deadlineMillis(Integer.parseInt(deadline));
        }
        CadreState state = builder.build();
        Cadre.run(App.builder().extension(state).routes(new Routes(state)).build(), args);
    }

    /** The routes; public for the route scanner. */
    public static final class Routes {
        private final CadreState state;

        Routes(CadreState state) {
            this.state = state;
        }

        @GET("/plain")
        public Map<String, Object> plain(Request request) {
            return Map.of("pid", request.worker().pid());
        }

        @GET("/count")
        public Map<String, Object> count(Session session, Request request) {
            return Map.of("count", session.increment("count", 1), "pid", request.worker().pid(), "id", session.id());
        }

        @POST("/login")
        public Map<String, Object> login(Session session, @QueryParam("user") String user) {
            session.put("user", user);
            session.regenerate();
            return Map.of("id", session.id());
        }

        @GET("/me")
        public Map<String, Object> me(Session session, Request request) {
            return Map.of("user", session.get("user").orElse(""), "pid", request.worker().pid());
        }

        @POST("/logout")
        public void logout(Session session) {
            session.invalidate();
        }

        @GET("/limited")
        @RateLimit(name = "limited", limit = 100, windowSeconds = 60, key = RateLimit.Key.HEADER, header = "X-Client")
        public Map<String, Object> limited(Request request) {
            return Map.of("pid", request.worker().pid());
        }

        /** A session written by a route whose answer a Redisson future completes, on Redisson's event loop. */
        @GET("/async-visit")
        public java.util.concurrent.CompletionStage<Map<String, Object>> asyncVisit(Session session) {
            session.put("user", "visitor");
            return state.redisson().getAtomicLong("async-visits").incrementAndGetAsync().thenApply(n -> Map.of("visits", n));
        }

        @GET("/io-limited")
        @io.cadre.NonBlocking
        @RateLimit(name = "io-limited", limit = 2, windowSeconds = 60, key = RateLimit.Key.IP)
        public Map<String, Object> ioLimited() {
            return Map.of("virtual", Thread.currentThread().isVirtual());
        }

        @GET("/limited-missing")
        @RateLimit(name = "limited-missing", limit = 100, windowSeconds = 60, key = RateLimit.Key.IP)
        public Map<String, Object> limitedMissing() {
            throw new io.cadre.HttpException(404, "nothing here");
        }

        @GET("/per-session")
        @RateLimit(name = "per-session", limit = 3, windowSeconds = 60, key = RateLimit.Key.SESSION)
        public Map<String, Object> perSession(Session session) {
            return Map.of("user", session.get("user").orElse(""));
        }

        @GET("/limited-open")
        @RateLimit(name = "limited-open", limit = 1_000_000, key = RateLimit.Key.IP, failOpen = true)
        public Map<String, Object> limitedOpen(Request request) {
            return Map.of("pid", request.worker().pid());
        }

        /**
         * {@code n} increments of one Redis value by {@code threads} threads, each a read, then a
         * write, under the lock: without the lock, increments from other threads and workers would
         * be lost.
         */
        @GET("/lock-count")
        public Map<String, Object> lockCount(@QueryParam("n") int n, @QueryParam(value = "threads", defaultValue = "1") int threads,
                Request request) throws Exception {
            RBucket<String> value = state.redisson().getBucket("test:lock-counter", StringCodec.INSTANCE);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int share = n / threads + (t < n % threads ? 1 : 0);
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < share; i++) {
                            state.withLock("counter", Duration.ofSeconds(30), () -> {
                                String v = value.get();
                                value.set(Long.toString((v == null ? 0 : Long.parseLong(v)) + 1));
                                return null;
                            });
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
            return Map.of("pid", request.worker().pid());
        }

        @GET("/lock-value")
        public Map<String, Object> lockValue() {
            String v = state.redisson().<String>getBucket("test:lock-counter", StringCodec.INSTANCE).get();
            return Map.of("value", v == null ? 0 : Long.parseLong(v));
        }

        @GET("/fenced")
        public Map<String, Object> fenced() {
            var lock = state.fencedLock("fenced");
            Long token = lock.lockAndGetToken();
            try {
                return Map.of("token", token);
            } finally {
                lock.unlock();
            }
        }

        @POST("/cache")
        public Map<String, Object> cachePut(@QueryParam("key") String key, @QueryParam("value") String value, Request request) {
            state.cache("test", String.class, Duration.ofMinutes(1)).put(key, value);
            state.nearCache("near", String.class, Duration.ofMinutes(1), 100).put(key, value);
            return Map.of("pid", request.worker().pid());
        }

        @GET("/cache")
        public Map<String, Object> cacheGet(@QueryParam("key") String key, Request request) {
            return Map.of("shared", state.cache("test", String.class, Duration.ofMinutes(1)).get(key).orElse(""),
                    "near", state.nearCache("near", String.class, Duration.ofMinutes(1), 100).get(key).orElse(""),
                    "pid", request.worker().pid());
        }
    }
}
