package io.cadre.internal.ipc;

import io.cadre.internal.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * One IPC frame. On the wire: a 4-byte big-endian length {@code n} (1..{@link #MAX_LENGTH}), then
 * {@code n} bytes: a one-byte {@link FrameType} code and the payload. Immutable (the payload array
 * is never modified after construction).
 */
public record Frame(FrameType type, byte[] payload) {
    /** The largest frame, type byte included. UNIT: bytes. */
    public static final int MAX_LENGTH = 16 * 1024 * 1024;

    private static final byte[] EMPTY = new byte[0];

    public Frame {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if (payload.length + 1 > MAX_LENGTH) {
            throw new IllegalArgumentException("IPC frame payload of " + payload.length + " bytes exceeds " + (MAX_LENGTH - 1));
        }
    }

    public static Frame empty(FrameType type) {
        return new Frame(type, EMPTY);
    }

    /** A frame whose payload is {@code value} as JSON. */
    public static Frame json(FrameType type, Object value) {
        try {
            return new Frame(type, Json.MAPPER.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The payload read as {@code type}; a bad payload is a {@link MalformedFrameException}. */
    public <T> T read(Class<T> valueType) throws MalformedFrameException {
        try {
            T value = Json.MAPPER.readValue(payload, valueType);
            if (value == null) {
                throw new MalformedFrameException(type + " frame has a null payload");
            }
            return value;
        } catch (IOException e) {
            throw new MalformedFrameException(type + " frame has a bad payload: " + e.getMessage());
        }
    }
}
