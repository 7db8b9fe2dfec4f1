package io.cadre.internal.worker;

import io.cadre.Response;
import io.cadre.internal.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A response ready to be written: status, headers and body bytes. Built on the thread that ran the
 * handler (JSON is serialized there, not on the IO thread); written by {@link Responder} on the IO
 * thread. Immutable.
 */
record Reply(int status, Map<String, String> headers, byte[] body) {
    static final String TEXT = "text/plain; charset=UTF-8";
    static final String JSON = "application/json";
    static final String BYTES = "application/octet-stream";
    static final String PROBLEM = "application/problem+json";
    private static final Map<String, String> TEXT_HEADERS = Map.of("Content-Type", TEXT);
    private static final Map<String, String> JSON_HEADERS = Map.of("Content-Type", JSON);
    private static final Map<String, String> BYTES_HEADERS = Map.of("Content-Type", BYTES);

    Reply {
        headers = Map.copyOf(headers);
    }

    /** What a handler's return value becomes (see {@link io.cadre.Handler}). */
    static Reply of(Object result) throws Exception {
        if (result instanceof Response response) {
            Map<String, String> headers = new LinkedHashMap<>(response.headers());
            Object body = response.body();
            if (body == null) {
                return new Reply(response.status(), headers, null);
            }
            byte[] raw = response.rawBody();
            String type = body instanceof String ? TEXT : BYTES;
            if (raw == null) {
                raw = Json.MAPPER.writeValueAsBytes(body);
                type = JSON;
            }
            if (headers.keySet().stream().noneMatch(k -> k.toLowerCase(Locale.ROOT).equals("content-type"))) {
                headers.put("Content-Type", type);
            }
            return new Reply(response.status(), headers, raw);
        }
        if (result == null) {
            return new Reply(204, Map.of(), null);
        }
        if (result instanceof String text) {
            return new Reply(200, TEXT_HEADERS, text.getBytes(StandardCharsets.UTF_8));
        }
        if (result instanceof byte[] bytes) {
            return new Reply(200, BYTES_HEADERS, bytes);
        }
        return new Reply(200, JSON_HEADERS, Json.MAPPER.writeValueAsBytes(result));
    }

    /** An {@code application/problem+json} reply (RFC 9457); never carries a stack trace. */
    static Reply problem(int status, String title, String detail, String instance) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        if (detail != null) {
            problem.put("detail", detail);
        }
        if (instance != null) {
            problem.put("instance", instance);
        }
        return json(status, PROBLEM, problem);
    }

    /** {@code value} as JSON with {@code status} and content type {@code type}. */
    static Reply json(int status, String type, Object value) {
        try {
            return new Reply(status, Map.of("Content-Type", type), Json.MAPPER.writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cadre's own JSON failed to serialize", e);
        }
    }

    /** This reply with one more header. */
    Reply withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Reply(status, copy, body);
    }
}
