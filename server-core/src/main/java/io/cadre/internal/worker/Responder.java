package io.cadre.internal.worker;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Writes {@link Reply}s with Undertow's non-blocking sender, on the exchange's IO thread only:
 * writing from a virtual thread would make XNIO wait on a temporary selector per thread. While the
 * worker drains, every response carries {@code Connection: close}, so keep-alive connections end
 * after their current response.
 */
final class Responder {
    private Responder() {
    }

    /** Resolved on first use: a worker's boot must not wait for the logging backend. */
    private static final class Log {
        static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Responder.class);
    }

    /**
     * Writes {@code reply} and ends the exchange. Call on the exchange's IO thread. A reply that
     * cannot be written (a header Undertow refuses) becomes a 500, or, once the response has
     * started, a closed connection: the exchange always ends, so the request never stays in flight.
     */
    static void write(HttpServerExchange exchange, ServerState state, Reply reply) {
        try {
            send(exchange, state, reply);
        } catch (RuntimeException e) {
            Log.log.error("a {} reply to {} could not be written", reply.status(), exchange.getRequestPath(), e);
            if (!exchange.isResponseStarted()) {
                exchange.getResponseHeaders().clear();
                send(exchange, state, Reply.problem(500, "Internal Server Error", "the reply could not be written", exchange.getRequestPath()));
            } else {
                org.xnio.IoUtils.safeClose(exchange.getConnection());
                exchange.endExchange();
            }
        }
    }

    private static void send(HttpServerExchange exchange, ServerState state, Reply reply) {
        if (state.draining()) {
            exchange.setPersistent(false);
        }
        exchange.setStatusCode(reply.status());
        for (Map.Entry<String, String> h : reply.headers()) {
            String name = h.getKey();
            HttpString header = name.equals("Content-Type") ? Headers.CONTENT_TYPE : HttpString.tryFromString(name);
            exchange.getResponseHeaders().add(header, h.getValue());
        }
        byte[] body = reply.body();
        if (body == null || body.length == 0) {
            if (reply.status() != 204 && reply.status() != 304) {
                exchange.setResponseContentLength(0);
            }
            exchange.endExchange();
            return;
        }
        exchange.setResponseContentLength(body.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }

    /** Writes {@code reply} from any thread, by handing it to the exchange's IO thread. */
    static void writeLater(HttpServerExchange exchange, ServerState state, Reply reply) {
        exchange.getIoThread().execute(() -> write(exchange, state, reply));
    }
}
