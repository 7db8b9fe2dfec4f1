package io.cadre.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    @Test
    void aFrameSurvivesEncodingAndDecoding() throws Exception {
        Frame frame = new Frame(FrameType.APP, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        Frame back = FrameCodec.decode(FrameCodec.encode(frame));
        assertThat(back.type()).isEqualTo(FrameType.APP);
        assertThat(back.payload()).isEqualTo(frame.payload());
    }

    @Test
    void decodingWaitsForAWholeFrameAndLeavesTheBufferAlone() throws Exception {
        ByteBuffer whole = FrameCodec.encode(new Frame(FrameType.HEARTBEAT, new byte[10]));
        ByteBuffer part = ByteBuffer.wrap(whole.array(), 0, 9);
        assertThat(FrameCodec.decode(part)).isNull();
        assertThat(part.position()).isZero();
    }

    @Test
    void aNegativeLengthIsMalformedAsSoonAsItsFourBytesArrive() {
        ByteBuffer bad = ByteBuffer.allocate(4).putInt(-5).flip();
        assertThatThrownBy(() -> FrameCodec.decode(bad)).isInstanceOf(MalformedFrameException.class).hasMessageContaining("-5");
    }

    @Test
    void aLengthOverTheLimitIsMalformed() {
        ByteBuffer bad = ByteBuffer.allocate(8).putInt(Frame.MAX_LENGTH + 1).put((byte) 1).flip();
        assertThatThrownBy(() -> FrameCodec.decode(bad)).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void anUnknownTypeIsMalformed() {
        ByteBuffer bad = ByteBuffer.allocate(8).putInt(1).put((byte) 99).flip();
        assertThatThrownBy(() -> FrameCodec.decode(bad)).isInstanceOf(MalformedFrameException.class).hasMessageContaining("99");
    }

    @Test
    void theReaderShrinksBackOnceALargeFrameIsThrough() throws Exception {
        ByteBuffer big = FrameCodec.encode(new Frame(FrameType.APP, new byte[1024 * 1024]));
        ByteBuffer small = FrameCodec.encode(new Frame(FrameType.APP, new byte[] {7}));
        ByteBuffer all = ByteBuffer.allocate(big.remaining() + 2 * small.remaining());
        all.put(big).put(small.duplicate()).put(small).flip();
        FrameCodec.Reader reader = new FrameCodec.Reader(chunks(all, 1 << 20));
        assertThat(reader.read().payload()).hasSize(1024 * 1024);
        assertThat(reader.capacity()).isGreaterThan(1024 * 1024);
        assertThat(reader.read().payload()).containsExactly(7);
        assertThat(reader.read().payload()).containsExactly(7);
        assertThat(reader.read()).isNull();
        assertThat(reader.capacity()).isEqualTo(64 * 1024);
    }

    @Test
    void theReaderReassemblesFramesFromAnyChunkingAndGrowsForBigOnes() throws Exception {
        byte[] big = new byte[200_000];
        big[199_999] = 7;
        ByteBuffer a = FrameCodec.encode(new Frame(FrameType.APP, big));
        ByteBuffer b = FrameCodec.encode(Frame.empty(FrameType.HEARTBEAT));
        ByteBuffer all = ByteBuffer.allocate(a.remaining() + b.remaining()).put(a).put(b).flip();
        FrameCodec.Reader reader = new FrameCodec.Reader(chunks(all, 3));
        Frame first = reader.read();
        assertThat(first.payload()).hasSize(200_000);
        assertThat(first.payload()[199_999]).isEqualTo((byte) 7);
        assertThat(reader.read().type()).isEqualTo(FrameType.HEARTBEAT);
        assertThat(reader.read()).isNull();
    }

    @Test
    void aStreamEndingInsideAFrameIsAnError() {
        ByteBuffer cut = ByteBuffer.wrap(FrameCodec.encode(new Frame(FrameType.APP, new byte[20])).array(), 0, 10);
        FrameCodec.Reader reader = new FrameCodec.Reader(chunks(cut, 4));
        assertThatThrownBy(reader::read).isInstanceOf(EOFException.class);
    }

    /** A channel that hands out {@code data} in pieces of at most {@code size} bytes. */
    static ReadableByteChannel chunks(ByteBuffer data, int size) {
        Deque<Byte> bytes = new ArrayDeque<>();
        while (data.hasRemaining()) {
            bytes.add(data.get());
        }
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                if (bytes.isEmpty()) {
                    return -1;
                }
                int n = 0;
                while (n < size && dst.hasRemaining() && !bytes.isEmpty()) {
                    dst.put(bytes.removeFirst());
                    n++;
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }
}
