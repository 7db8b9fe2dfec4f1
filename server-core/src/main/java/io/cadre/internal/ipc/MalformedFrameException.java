package io.cadre.internal.ipc;

import java.io.IOException;

/** A peer sent bytes that are not a valid frame; the connection that carried them is dropped. */
public final class MalformedFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }
}
