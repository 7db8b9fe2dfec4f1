package io.cadre.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;

/**
 * A raw Undertow server, the baseline of the framework-overhead benchmarks: one JVM, Undertow's
 * default builder (IO threads = max(2, processors)), the answer written on the IO thread.
 * {@code /plaintext} (and any other path) answers "Hello, World!" as text; {@code /json} answers
 * {@code {"message":"Hello, World!"}} serialized by Jackson from a record on every request, the same
 * work as the reference app's {@code /json}. Usage: {@code RawUndertowHello PORT}.
 */
public final class RawUndertowHello {
    private RawUndertowHello() {
    }

    /** The JSON answer, as the reference app's. */
    public record Greeting(String message) {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        ObjectMapper mapper = new ObjectMapper();
        Undertow.builder()
                .addHttpListener(port, "0.0.0.0")
                .setHandler(exchange -> {
                    if (exchange.getRequestPath().equals("/json")) {
                        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                        exchange.getResponseSender().send(ByteBuffer.wrap(mapper.writeValueAsBytes(new Greeting("Hello, World!"))));
                    } else {
                        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=UTF-8");
                        exchange.getResponseSender().send("Hello, World!");
                    }
                })
                .build()
                .start();
        System.out.println("raw undertow listening on http://0.0.0.0:" + port);
    }
}
