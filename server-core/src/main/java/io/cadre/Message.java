package io.cadre;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cadre.internal.util.Json;
import java.util.Objects;

/**
 * An app message between the primary and a worker. On the wire it is JSON; Java serialization is
 * never used. Immutable.
 */
public final class Message {
    private final JsonNode json;

    private Message(JsonNode json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /** Wraps any Jackson-serializable value; fails with {@link IllegalArgumentException} otherwise. */
    public static Message of(Object value) {
        if (value instanceof Message message) {
            return message;
        }
        try {
            return new Message(Json.MAPPER.valueToTree(value));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("message is not serializable as JSON: " + e.getMessage(), e);
        }
    }

    /** The message as a JSON tree. */
    public JsonNode json() {
        return json;
    }

    /** The message converted to {@code type} with Jackson; fails with {@link IllegalArgumentException}. */
    public <T> T as(Class<T> type) {
        ObjectMapper mapper = Json.MAPPER;
        try {
            return mapper.treeToValue(json, type);
        } catch (Exception e) {
            throw new IllegalArgumentException("message does not convert to " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** The text of a message that is a JSON string, else the JSON text of the message. */
    public String text() {
        return json.isTextual() ? json.textValue() : json.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && m.json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
