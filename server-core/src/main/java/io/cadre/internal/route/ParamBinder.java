package io.cadre.internal.route;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JavaType;
import io.cadre.HttpException;
import io.cadre.QueryParam;
import io.cadre.Request;
import io.cadre.Worker;
import io.cadre.internal.util.Json;
import java.io.IOException;
import java.util.Locale;
import java.util.function.Function;

/**
 * Produces one argument of a route method from a request. Built once per parameter at startup;
 * called on the route's thread. A client mistake becomes an {@link HttpException} (400 naming the
 * parameter or the JSON field, 415 for a body that is not JSON), never a 500.
 */
@FunctionalInterface
interface ParamBinder {
    Object bind(Request request);

    static ParamBinder context(Class<?> type) {
        return type == Worker.class ? Request::worker : request -> request;
    }

    static ParamBinder path(String name, Function<String, Object> convert) {
        return request -> convert(request.pathParam(name), "path parameter '" + name + "'", convert);
    }

    static ParamBinder query(String name, String defaultValue, Class<?> type, Function<String, Object> convert) {
        return request -> valueOrDefault(request.query(name), "query parameter '" + name + "'", defaultValue, type, convert);
    }

    static ParamBinder header(String name, String defaultValue, Class<?> type, Function<String, Object> convert) {
        return request -> valueOrDefault(request.header(name), "header '" + name + "'", defaultValue, type, convert);
    }

    static ParamBinder body(JavaType type) {
        return request -> {
            byte[] body = request.body();
            if (body.length == 0) {
                throw new HttpException(400, "a JSON request body is required");
            }
            String contentType = request.header("Content-Type");
            if (contentType == null || !isJson(contentType)) {
                throw new HttpException(415, "the request body must be application/json, was " + (contentType == null ? "untyped" : contentType));
            }
            try {
                Object value = Json.MAPPER.readValue(body, type);
                if (value == null) {
                    throw new HttpException(400, "the JSON body is null; a value is required");
                }
                return value;
            } catch (com.fasterxml.jackson.databind.exc.InvalidDefinitionException e) {
                // the body type cannot be built from JSON at all: the server's mistake, not the client's
                throw new IllegalStateException("the body type " + type + " cannot be read from JSON: " + e.getOriginalMessage(), e);
            } catch (JsonParseException e) {
                throw new HttpException(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr());
            } catch (JsonMappingException e) {
                String field = e.getPathReference() == null ? "" : jsonPath(e);
                throw new HttpException(400, (field.isEmpty() ? "the JSON body" : "JSON field '" + field + "'") + " is invalid: "
                        + firstSentence(e.getOriginalMessage()));
            } catch (JsonProcessingException e) {
                throw new HttpException(400, "the JSON body is invalid: " + firstSentence(e.getOriginalMessage()));
            } catch (IOException e) {
                throw new HttpException(400, "the JSON body could not be read");
            }
        };
    }

    /** Jackson's message without its advice to the server's developer ("set ... to allow"). */
    private static String firstSentence(String message) {
        String line = message == null ? "" : message.lines().findFirst().orElse("");
        int hint = line.indexOf(" (set ");
        return hint > 0 ? line.substring(0, hint) : line;
    }

    private static boolean isJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static Object valueOrDefault(String value, String what, String defaultValue, Class<?> type,
            Function<String, Object> convert) {
        if (value == null) {
            if (!defaultValue.equals(QueryParam.NO_DEFAULT)) {
                return convert(defaultValue, what, convert);
            }
            if (type.isPrimitive()) {
                throw new HttpException(400, what + " is required");
            }
            return Conversions.absent(type);
        }
        return convert(value, what, convert);
    }

    private static Object convert(String value, String what, Function<String, Object> convert) {
        try {
            return convert.apply(value);
        } catch (IllegalArgumentException e) {
            String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
            throw new HttpException(400, what + " must be " + e.getMessage() + ", was '" + shown + "'");
        }
    }
}
