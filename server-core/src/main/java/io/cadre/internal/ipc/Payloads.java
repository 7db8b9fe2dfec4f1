package io.cadre.internal.ipc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The payloads of Cadre's own IPC frames, in a small fixed binary layout (big-endian numbers,
 * modified-UTF-8 strings), so that a worker can talk to its primary before Jackson has loaded.
 * App messages ({@link FrameType#APP}) are JSON.
 */
public final class Payloads {
    private Payloads() {
    }

    /** {@link FrameType#HELLO}: who the worker is, and the token that proves it. */
    public record Hello(int id, int generation, long pid, String token) {
        public Frame frame() {
            return encode(FrameType.HELLO, out -> {
                out.writeInt(id);
                out.writeInt(generation);
                out.writeLong(pid);
                out.writeUTF(token);
            });
        }

        public static Hello of(Frame frame) throws MalformedFrameException {
            return decode(frame, FrameType.HELLO, in -> new Hello(in.readInt(), in.readInt(), in.readLong(), in.readUTF()));
        }
    }

    /** {@link FrameType#DRAIN}: how long the worker may take. UNIT: ms. */
    public record Drain(long timeoutMillis) {
        public Frame frame() {
            return encode(FrameType.DRAIN, out -> out.writeLong(timeoutMillis));
        }

        public static Drain of(Frame frame) throws MalformedFrameException {
            return decode(frame, FrameType.DRAIN, in -> new Drain(in.readLong()));
        }
    }

    /** {@link FrameType#CLUSTER}: the cluster's state as health reports it, {@code OK} or {@code DEGRADED}. */
    public record Cluster(String state) {
        public Frame frame() {
            return encode(FrameType.CLUSTER, out -> out.writeUTF(state));
        }

        public static Cluster of(Frame frame) throws MalformedFrameException {
            return decode(frame, FrameType.CLUSTER, in -> new Cluster(in.readUTF()));
        }
    }

    /**
     * {@link FrameType#HEARTBEAT}: alive, with the vital signs the primary recycles by and
     * {@code ctl status} shows. An empty payload (a worker still booting) reads as zeros.
     */
    public record Heartbeat(long rssBytes, long heapUsedBytes, long requests, int computeQueue) {
        public static final Heartbeat NONE = new Heartbeat(0, 0, 0, 0);

        public Frame frame() {
            return encode(FrameType.HEARTBEAT, out -> {
                out.writeLong(rssBytes);
                out.writeLong(heapUsedBytes);
                out.writeLong(requests);
                out.writeInt(computeQueue);
            });
        }

        public static Heartbeat of(Frame frame) throws MalformedFrameException {
            if (frame.type() == FrameType.HEARTBEAT && frame.payload().length == 0) {
                return NONE;
            }
            return decode(frame, FrameType.HEARTBEAT, in -> new Heartbeat(in.readLong(), in.readLong(), in.readLong(), in.readInt()));
        }
    }

    /** {@link FrameType#DUMP}: write a diagnostic dump; {@code kind} is {@code threads} or {@code heap}. */
    public record Dump(long request, String kind) {
        public Frame frame() {
            return encode(FrameType.DUMP, out -> {
                out.writeLong(request);
                out.writeUTF(kind);
            });
        }

        public static Dump of(Frame frame) throws MalformedFrameException {
            return decode(frame, FrameType.DUMP, in -> new Dump(in.readLong(), in.readUTF()));
        }
    }

    /** {@link FrameType#DUMPED}: where the dump of {@code request} is, or why there is none ({@code error}, else empty). */
    public record Dumped(long request, String path, String error) {
        public Frame frame() {
            return encode(FrameType.DUMPED, out -> {
                out.writeLong(request);
                out.writeUTF(path);
                out.writeUTF(error);
            });
        }

        public static Dumped of(Frame frame) throws MalformedFrameException {
            return decode(frame, FrameType.DUMPED, in -> new Dumped(in.readLong(), in.readUTF(), in.readUTF()));
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static Frame encode(FrameType type, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Frame(type, bytes.toByteArray());
    }

    private static <T> T decode(Frame frame, FrameType type, Reader<T> reader) throws MalformedFrameException {
        if (frame.type() != type) {
            throw new MalformedFrameException("expected a " + type + " frame, got " + frame.type());
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame.payload()))) {
            T value = reader.read(in);
            if (in.available() != 0) {
                throw new MalformedFrameException(type + " frame has " + in.available() + " trailing bytes");
            }
            return value;
        } catch (MalformedFrameException e) {
            throw e;
        } catch (IOException e) {
            throw new MalformedFrameException(type + " frame has a bad payload: " + e);
        }
    }
}
