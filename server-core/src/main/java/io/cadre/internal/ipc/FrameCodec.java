package io.cadre.internal.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads and writes {@link Frame}s directly on a channel, with no stream in between: the JDK's
 * channel streams lock the channel for a blocked read, which would stall a concurrent write.
 * A reader and a writer may work on the same channel from two threads; each instance of
 * {@link Reader} belongs to one thread.
 */
public final class FrameCodec {
    private FrameCodec() {
    }

    /** Writes {@code frame} fully (a gathering write of header and payload). */
    public static void write(GatheringByteChannel channel, Frame frame) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5).putInt(frame.payload().length + 1).put((byte) frame.type().code).flip();
        ByteBuffer[] buffers = {header, ByteBuffer.wrap(frame.payload())};
        while (buffers[1].hasRemaining() || header.hasRemaining()) {
            channel.write(buffers);
        }
    }

    /** Encodes {@code frame} into one buffer, ready to read (for tests and benchmarks). */
    public static ByteBuffer encode(Frame frame) {
        return ByteBuffer.allocate(frame.payload().length + 5).putInt(frame.payload().length + 1)
                .put((byte) frame.type().code).put(frame.payload()).flip();
    }

    /**
     * Decodes the frame at the start of {@code buffer}, advancing it past the frame; returns
     * {@code null}, leaving the buffer as it was, when the buffer does not yet hold a whole frame.
     */
    public static Frame decode(ByteBuffer buffer) throws MalformedFrameException {
        if (buffer.remaining() < 4) {
            return null;
        }
        int start = buffer.position();
        int length = buffer.getInt(start);
        if (length < 1 || length > Frame.MAX_LENGTH) {
            throw new MalformedFrameException("frame length " + length + " is outside 1.." + Frame.MAX_LENGTH);
        }
        if (buffer.remaining() < 5) {
            return null;
        }
        int code = buffer.get(start + 4) & 0xFF;
        FrameType type = FrameType.of(code);
        if (type == null) {
            throw new MalformedFrameException("unknown frame type " + code);
        }
        if (buffer.remaining() < 4 + length) {
            return null;
        }
        byte[] payload = new byte[length - 1];
        buffer.position(start + 5);
        buffer.get(payload);
        return new Frame(type, payload);
    }

    /**
     * Reads frames from one channel through a buffer of 64 KiB that grows to fit a larger frame and
     * shrinks back once what it holds fits again (a long-lived connection that once carried a
     * 16 MiB message does not keep 16 MiB).
     */
    public static final class Reader {
        private static final int SIZE = 64 * 1024;
        private final ReadableByteChannel channel;
        private ByteBuffer buffer = ByteBuffer.allocate(SIZE).flip();

        public Reader(ReadableByteChannel channel) {
            this.channel = channel;
        }

        /** The buffer's size now, for tests. UNIT: bytes. */
        int capacity() {
            return buffer.capacity();
        }

        /**
         * Reads one frame, blocking. Returns {@code null} at a clean end of stream (between frames);
         * throws {@link MalformedFrameException} for a bad length or type and {@link EOFException}
         * for a stream that ends inside a frame.
         */
        public Frame read() throws IOException {
            while (true) {
                Frame frame = decode(buffer);
                if (frame != null) {
                    return frame;
                }
                int needed = buffer.remaining() >= 4 ? 4 + buffer.getInt(buffer.position()) : SIZE;
                if (needed > buffer.capacity()) {
                    buffer = ByteBuffer.allocate(needed).put(buffer).flip();
                } else if (buffer.capacity() > SIZE && needed <= SIZE && buffer.remaining() <= SIZE) {
                    buffer = ByteBuffer.allocate(SIZE).put(buffer).flip();
                }
                buffer.compact();
                int n = channel.read(buffer);
                buffer.flip();
                if (n < 0) {
                    if (buffer.hasRemaining()) {
                        throw new EOFException("the stream ended inside a frame");
                    }
                    return null;
                }
            }
        }
    }
}
