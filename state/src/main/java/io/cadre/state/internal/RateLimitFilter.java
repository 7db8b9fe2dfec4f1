package io.cadre.state.internal;

import io.cadre.Filter;
import io.cadre.HttpException;
import io.cadre.Request;
import io.cadre.Response;
import io.cadre.state.RateLimit;
import io.cadre.state.Session;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces a budget before the route runs: the route's own {@link RateLimit} (when {@code rule} is
 * null), or one rule given in code for every route it wraps. Refused requests answer 429; others
 * get the {@code RateLimit-*} headers on their response.
 */
public final class RateLimitFilter implements Filter {
    /**
     * A rule given in code: a budget name, its limit and window, what a request is counted by, and
     * whether a request Redis cannot count goes through ({@code failOpen}) or answers 503.
     */
    public record Rule(String name, int limit, long windowMillis, Function<Request, String> key, boolean failOpen) {
        public Rule {
            if (name == null || name.isBlank() || limit < 1 || windowMillis < 1) {
                throw new IllegalArgumentException("a rate limit needs a name, a limit >= 1 and a window >= 1 ms");
            }
        }
    }

    /** Resolved on first use: the filter is built while a worker boots, which must not wait for the logging backend. */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);
    }
    private static final AtomicLong lastFailOpenLog = new AtomicLong(System.nanoTime() - 2_000_000_000L);

    private final Supplier<RateLimiter> limiter;
    private final Rule rule;

    /** A filter for the routes' own annotations ({@code rule} null) or for one rule. */
    public RateLimitFilter(Supplier<RateLimiter> limiter, Rule rule) {
        this.limiter = limiter;
        this.rule = rule;
    }

    @Override
    public Object filter(Request request, Chain next) throws Exception {
        Rule effective = rule != null ? rule : request.route().annotation(RateLimit.class).map(a -> fromAnnotation(a, request)).orElse(null);
        if (effective == null) {
            return next.proceed();
        }
        if (request.route().model() == io.cadre.ExecutionModel.IO && !Thread.currentThread().isVirtual()) {
            // counting is a Redis round trip: not on an IO thread, whose other connections would wait for it
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return limited(effective, request, next);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, StateThreads.BLOCKING).thenCompose(r -> r instanceof CompletionStage<?> stage ? stage.thenApply(v -> (Object) v)
                    : java.util.concurrent.CompletableFuture.completedFuture(r));
        }
        return limited(effective, request, next);
    }

    private Object limited(Rule effective, Request request, Chain next) throws Exception {
        RateLimiter.Decision decision;
        try {
            decision = limiter.get().hit(effective.name(), counted(effective.key().apply(request)), effective.limit(),
                    effective.windowMillis());
        } catch (HttpException e) {
            if (e.status() != 503 || !effective.failOpen()) {
                throw e;
            }
            logFailOpen(effective.name());
            return next.proceed();
        }
        if (!decision.allowed()) {
            throw new HttpException(429, "rate limit '" + effective.name() + "' of " + effective.limit() + " requests per "
                    + effective.windowMillis() / 1000 + " s is used up", decision.headers());
        }
        Object result;
        try {
            result = next.proceed();
        } catch (HttpException e) {
            throw withHeaders(e, decision);
        }
        if (result instanceof CompletionStage<?> stage) {
            return stage.handle((value, error) -> {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof HttpException http) {
                    throw new java.util.concurrent.CompletionException(withHeaders(http, decision));
                }
                if (error != null) {
                    throw error instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(error);
                }
                return withHeaders(value, decision);
            });
        }
        return withHeaders(result, decision);
    }

    /** The route's own error answer, with the limit's headers too. */
    private static HttpException withHeaders(HttpException e, RateLimiter.Decision decision) {
        List<Map.Entry<String, String>> headers = new java.util.ArrayList<>(e.headers());
        headers.addAll(decision.headers());
        return new HttpException(e.status(), e.getMessage(), headers);
    }

    private static Object withHeaders(Object result, RateLimiter.Decision decision) {
        Response response = Response.from(result);
        for (Map.Entry<String, String> h : decision.headers()) {
            response = response.addHeader(h.getKey(), h.getValue());
        }
        return response;
    }

    /**
     * The session's id when the request brings a live session; else the client's IP: a request
     * without one would start a new session, which nothing stores unless the route writes to it,
     * so each such request would get a fresh budget.
     */
    static String sessionOrIp(Request request) {
        Session session = Session.of(request);
        return session.isNew() ? "ip " + clientIp(request) : "session " + session.id();
    }

    /**
     * What a budget counts a request by: the key function's value, or, where it gave none (a HEADER
     * key without the header), one shared key apart from every value a client can send.
     */
    static String counted(String value) {
        return value == null ? "absent" : "value " + value;
    }

    private static Rule fromAnnotation(RateLimit a, Request request) {
        String name = a.name().isEmpty() ? request.route().method() + " " + request.route().template() : a.name();
        Function<Request, String> key = switch (a.key()) {
            case IP -> RateLimitFilter::clientIp;
            case SESSION -> RateLimitFilter::sessionOrIp;
            case HEADER -> {
                if (a.header().isBlank()) {
                    throw new IllegalStateException("@RateLimit(key = HEADER) on " + request.route().source() + " names no header");
                }
                yield r -> r.header(a.header());
            }
        };
        return new Rule(name, a.limit(), a.windowSeconds() * 1000L, key, a.failOpen());
    }

    private static void logFailOpen(String name) {
        long now = System.nanoTime();
        long last = lastFailOpenLog.get();
        if (now - last >= 1_000_000_000L && lastFailOpenLog.compareAndSet(last, now)) {
            Log.log.warn("rate limit '{}' let a request through uncounted: Redis is unavailable and the limit fails open", name);
        }
    }

    /** The TCP peer's address. */
    public static String clientIp(Request request) {
        return request.remoteAddress().getAddress().getHostAddress();
    }
}
