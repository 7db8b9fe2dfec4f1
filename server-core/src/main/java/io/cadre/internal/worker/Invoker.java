package io.cadre.internal.worker;

import io.cadre.ExceptionMapper;
import io.cadre.Filter;
import io.cadre.HttpException;
import io.cadre.Request;
import io.cadre.Response;
import io.cadre.compute.isolated.IsolatedJobException;
import io.cadre.compute.isolated.IsolatedRejectedException;
import io.cadre.compute.isolated.JobFailedException;
import io.cadre.internal.route.RouteSpec;
import io.undertow.util.StatusCodes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a route's filters and handler on the calling thread and turns the outcome into a
 * {@link Reply}: the return value as {@link io.cadre.Handler} describes, a {@link CompletionStage}
 * once it completes, an {@link HttpException} as a problem with its status, an app exception
 * through the most specific {@link ExceptionMapper}, anything else as a 500 with no detail (the
 * stack trace goes to the log). Immutable; thread-safe.
 */
final class Invoker {
    /** Resolved on first use: a worker's boot must not wait for the logging backend (see {@code Warmup}). */
    private static final class Log {
        static final Logger log = LoggerFactory.getLogger(Invoker.class);
    }

    private final List<Filter> filters;
    private final Map<Class<? extends Throwable>, ExceptionMapper<?>> mappers;

    Invoker(List<Filter> filters, Map<Class<? extends Throwable>, ExceptionMapper<?>> mappers) {
        this.filters = List.copyOf(filters);
        this.mappers = Map.copyOf(mappers);
    }

    /** Runs the route; the future completes at once unless the handler returned a stage. */
    CompletableFuture<Reply> invoke(RouteSpec route, Request request) {
        Object result;
        try {
            result = chain(route, request, 0);
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(failure(t, route, request));
        }
        if (result instanceof CompletionStage<?> stage) {
            return settled(stage, value -> value, route, request);
        }
        if (result instanceof Response response && response.body() instanceof CompletionStage<?> stage) {
            // a filter wrapped an asynchronous result: keep its status and headers, wait for the body
            return settled(stage, value -> merge(response, value), route, request);
        }
        return CompletableFuture.completedFuture(success(result, route, request));
    }

    /**
     * The reply to {@code stage} once it completes; never a future that fails: a stage that cannot
     * be turned into a future (the {@code CompletionStage} contract allows that), or a result that
     * fails to become a reply, is a failure reply like any other, so the exchange always ends.
     */
    private CompletableFuture<Reply> settled(CompletionStage<?> stage, java.util.function.Function<Object, Object> result,
            RouteSpec route, Request request) {
        try {
            return stage.toCompletableFuture().handle((value, error) -> {
                try {
                    return error != null ? failure(error, route, request) : success(result.apply(value), route, request);
                } catch (Throwable t) {
                    return failure(t, route, request);
                }
            });
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(failure(t, route, request));
        }
    }

    /**
     * A filter's response around an asynchronous result, once the result is there: a result that
     * is itself a {@code Response} keeps its status (unless the filter set one), body and headers,
     * and gets the filter's headers after its own.
     */
    private static Response merge(Response outer, Object value) {
        if (!(value instanceof Response inner)) {
            return outer.withBody(value);
        }
        Response merged = outer.status() != 200 ? inner.withStatus(outer.status()) : inner;
        for (java.util.Map.Entry<String, String> h : outer.headerValues()) {
            merged = merged.addHeader(h.getKey(), h.getValue());
        }
        return merged;
    }

    private Object chain(RouteSpec route, Request request, int index) throws Exception {
        if (index == filters.size()) { // also the whole chain of an app without filters
            return route.handler().handle(request);
        }
        return filters.get(index).filter(request, () -> chain(route, request, index + 1));
    }

    private Reply success(Object result, RouteSpec route, Request request) {
        try {
            return Reply.of(result);
        } catch (Exception e) {
            Log.log.error("route {} ({}) returned a value that could not be written", route, route.source(), e);
            return Reply.problem(500, "Internal Server Error", "the result of " + route + " could not be written", request.path());
        }
    }

    /** The reply for {@code error}, from any thread. */
    Reply failure(Throwable error, RouteSpec route, Request request) {
        Throwable t = unwrap(error);
        if (t instanceof HttpException http) {
            Log.log.debug("route {} answered {}: {}", route, http.status(), http.getMessage());
            Reply reply = Reply.problem(http.status(), StatusCodes.getReason(http.status()), http.getMessage(), request.path());
            for (java.util.Map.Entry<String, String> h : http.headers()) {
                reply = reply.withHeader(h.getKey(), h.getValue());
            }
            return reply;
        }
        ExceptionMapper<Throwable> mapper = mapperFor(t.getClass());
        if (mapper != null) {
            try {
                return Reply.of(mapper.toResponse(t, request));
            } catch (Exception e) {
                Log.log.error("the exception mapper for {} failed", t.getClass().getName(), e);
            }
        }
        if (t instanceof IsolatedJobException isolated) {
            return isolated(isolated, route, request);
        }
        Log.log.error("route {} ({}) failed", route, route.source(), t);
        return Reply.problem(500, "Internal Server Error", "the handler of " + route + " failed", request.path());
    }

    /**
     * An isolated job's failure: 502 when its child died or misbehaved, 504 when it timed out, 503
     * with {@code Retry-After} when it was refused, 500 when the job threw. The detail says what
     * happened (the executor logged the child's stderr); a thrown job's stack trace goes to the log
     * only.
     */
    private static Reply isolated(IsolatedJobException e, RouteSpec route, Request request) {
        int status = e.httpStatus();
        String detail = e.getMessage();
        if (e instanceof JobFailedException failed) {
            Log.log.error("route {} ({}): {}\n{}", route, route.source(), e.getMessage(), failed.remoteStackTrace());
            detail = "the isolated job of " + route + " failed";
        } else {
            Log.log.debug("route {} answered {}: {}", route, status, e.getMessage());
        }
        Reply reply = Reply.problem(status, StatusCodes.getReason(status), detail, request.path());
        if (e instanceof IsolatedRejectedException rejected) {
            reply = reply.withHeader("Retry-After", Long.toString(rejected.retryAfterSeconds()));
        }
        return reply;
    }

    @SuppressWarnings("unchecked")
    private ExceptionMapper<Throwable> mapperFor(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            ExceptionMapper<?> mapper = mappers.get(c);
            if (mapper != null) {
                return (ExceptionMapper<Throwable>) mapper;
            }
        }
        return null;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }
}
