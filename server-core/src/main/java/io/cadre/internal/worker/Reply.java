package io.cadre.internal.worker;

import io.cadre.Response;
import io.cadre.internal.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A response ready to be written: status, headers and body bytes. Built on the thread that ran the
 * handler (JSON is serialized there, not on the IO thread); written by {@link Responder} on the IO
 * thread. Immutable.
 */
record Reply(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    static final String TEXT = "text/plain; charset=UTF-8";
    static final String JSON = "application/json";
    static final String BYTES = "application/octet-stream";
    static final String PROBLEM = "application/problem+json";
    private static final List<Map.Entry<String, String>> TEXT_HEADERS = List.of(Map.entry("Content-Type", TEXT));
    private static final List<Map.Entry<String, String>> JSON_HEADERS = List.of(Map.entry("Content-Type", JSON));
    private static final List<Map.Entry<String, String>> BYTES_HEADERS = List.of(Map.entry("Content-Type", BYTES));

    Reply {
        headers = List.copyOf(headers);
    }

    /** What a handler's return value becomes (see {@link io.cadre.Handler}). */
    static Reply of(Object result) throws Exception {
        if (result instanceof Response response) {
            List<Map.Entry<String, String>> headers = new ArrayList<>(response.headerValues());
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
            if (response.header("Content-Type") == null) {
                headers.add(Map.entry("Content-Type", type));
            }
            return new Reply(response.status(), headers, raw);
        }
        if (result == null) {
            return new Reply(204, List.of(), null);
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
            return new Reply(status, List.of(Map.entry("Content-Type", type)), Json.MAPPER.writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cadre's own JSON failed to serialize", e);
        }
    }

    /** This reply with one more header value. */
    Reply withHeader(String name, String value) {
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers);
        copy.add(Map.entry(name, value));
        return new Reply(status, copy, body);
    }
}
