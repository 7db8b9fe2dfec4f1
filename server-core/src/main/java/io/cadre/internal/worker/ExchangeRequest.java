package io.cadre.internal.worker;

import io.cadre.Request;
import io.cadre.RouteInfo;
import io.cadre.Worker;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** A {@link Request} over an Undertow exchange whose body was already read. */
final class ExchangeRequest implements Request {
    private final HttpServerExchange exchange;
    private final byte[] body;
    private final Worker worker;
    private final Map<String, String> pathParams;
    private final RouteInfo route;
    private Map<String, Object> attributes;

    ExchangeRequest(HttpServerExchange exchange, byte[] body, Worker worker, Map<String, String> pathParams, RouteInfo route) {
        this.exchange = exchange;
        this.body = body;
        this.worker = worker;
        this.pathParams = pathParams;
        this.route = route;
    }

    @Override
    public RouteInfo route() {
        return route;
    }

    @Override
    public Object attribute(String name) {
        return attributes == null ? null : attributes.get(name);
    }

    @Override
    public void attribute(String name, Object value) {
        if (attributes == null) {
            attributes = new java.util.HashMap<>();
        }
        attributes.put(name, value);
    }

    @Override
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    @Override
    public String method() {
        return exchange.getRequestMethod().toString();
    }

    @Override
    public String path() {
        return exchange.getRequestPath();
    }

    @Override
    public String query(String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null ? null : values.peekFirst();
    }

    @Override
    public List<String> queryAll(String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    @Override
    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return exchange.getSourceAddress();
    }

    @Override
    public Worker worker() {
        return worker;
    }
}
