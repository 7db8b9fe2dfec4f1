package io.cadre.bench;

import io.undertow.Undertow;
import io.undertow.util.Headers;

/**
 * A raw Undertow hello server, the baseline of the framework-overhead benchmark: one JVM, Undertow's
 * default builder (IO threads = max(2, processors)), "Hello, World!" written on the IO thread.
 * Usage: {@code RawUndertowHello PORT}.
 */
public final class RawUndertowHello {
    private RawUndertowHello() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Undertow.builder()
                .addHttpListener(port, "0.0.0.0")
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=UTF-8");
                    exchange.getResponseSender().send("Hello, World!");
                })
                .build()
                .start();
        System.out.println("raw undertow listening on http://0.0.0.0:" + port);
    }
}
