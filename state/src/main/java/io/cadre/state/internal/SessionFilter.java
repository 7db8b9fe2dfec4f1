package io.cadre.state.internal;

import io.cadre.Filter;
import io.cadre.Request;
import io.cadre.Response;
import io.cadre.state.Session;
import io.cadre.state.SessionOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Gives every request a lazy {@link Session} (from the cookie, if any), and once the route has
 * answered writes what it changed and sets or clears the cookie. A request that never used its
 * session costs no Redis call and gets no cookie; one that only read a session it did not have
 * stores nothing and gets no cookie either (a dead id it sent is cleared). Outermost filter of the
 * state extension.
 */
public final class SessionFilter implements Filter {
    private final SessionStore store;
    private final SessionOptions options;

    public SessionFilter(SessionStore store) {
        this.store = store;
        this.options = store.options();
    }

    @Override
    public Object filter(Request request, Chain next) throws Exception {
        String sent = cookie(request.header("Cookie"), options.cookieName());
        RedisSession session = new RedisSession(store, sent);
        request.attribute(Session.class.getName(), session);
        Object result = next.proceed();
        if (result instanceof CompletionStage<?> stage) {
            // Writing the session back may be a Redis round trip: not on the thread that completed
            // the stage when that is a Redisson event loop (it alone reads the answer) or an IO thread.
            return stage.thenCompose(value -> Thread.currentThread().isVirtual()
                    ? CompletableFuture.completedFuture(finish(session, sent != null, request, value))
                    : CompletableFuture.supplyAsync(() -> finish(session, sent != null, request, value), StateThreads.BLOCKING));
        }
        return finish(session, sent != null, request, result);
    }

    private Object finish(RedisSession session, boolean cookieSent, Request request, Object result) {
        if (!session.touched()) {
            return result;
        }
        session.commit();
        // invalidated, or the client's id named no live session and nothing new was stored: the
        // client stops sending a dead id
        if (session.invalidated() || (session.discarded() && cookieSent)) {
            return Response.from(result).addHeader("Set-Cookie", options.cookieName() + "=; Max-Age=0" + attributes(request));
        }
        if (session.idChanged()) {
            return Response.from(result).addHeader("Set-Cookie", options.cookieName() + "=" + session.id() + attributes(request));
        }
        return result;
    }

    private String attributes(Request request) {
        boolean secure = options.secureCookie() || options.sameSite().equals("None")
                || "https".equalsIgnoreCase(request.header("X-Forwarded-Proto"));
        return "; Path=/; HttpOnly; SameSite=" + options.sameSite() + (secure ? "; Secure" : "");
    }

    /** The value of cookie {@code name} in a {@code Cookie} header, or null. */
    static String cookie(String header, String name) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).equals(name)) {
                return p.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
