package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputRelayTest {

    @Test
    void linesOfManyWorkersNeverInterleaveEvenWhenTheyArriveInTinyPieces() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(sink, false, StandardCharsets.UTF_8);
        List<Thread> relays = new ArrayList<>();
        for (int w = 1; w <= 4; w++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                text.append("w").append(w).append(" line ").append(i).append(" ").append("x".repeat(i % 97)).append('\n');
            }
            InputStream dribble = trickle(text.toString().getBytes(StandardCharsets.UTF_8), w);
            int id = w;
            relays.add(Thread.ofPlatform().start(() -> OutputRelay.copy(dribble, out, "[worker " + id + "] ")));
        }
        for (Thread t : relays) {
            // a bound only a hang reaches; the relay ends at the stream's end
            assertThat(t.join(java.time.Duration.ofSeconds(60))).as("relay " + t + " reached the end of its stream").isTrue();
        }
        String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2000);
        for (String line : lines) {
            assertThat(line).matches("\\[worker (\\d)\\] w\\1 line (\\d+) x*");
            int i = Integer.parseInt(line.replaceAll(".* line (\\d+) .*", "$1"));
            assertThat(line).endsWith(" " + "x".repeat(i % 97));
        }
    }

    @Test
    void aLastLineWithoutNewlineAndCarriageReturnsAreHandled() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputRelay.copy(new ByteArrayInputStream("one\r\ntwo".getBytes(StandardCharsets.UTF_8)), new PrintStream(sink), "p ");
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("p one\np two\n");
    }

    @Test
    void overlongLinesAreCutIntoPiecesThatEachCarryThePrefix() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        byte[] longLine = ("a".repeat(OutputRelay.MAX_LINE + 10) + "\n").getBytes(StandardCharsets.UTF_8);
        OutputRelay.copy(new ByteArrayInputStream(longLine), new PrintStream(sink), "p ");
        String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).hasSize(2 + OutputRelay.MAX_LINE);
        assertThat(lines[1]).isEqualTo("p " + "a".repeat(10));
    }

    @Test
    void anOverlongLineIsNeverCutInsideAUtf8Character() {
        // 'é' is 2 bytes, '€' 3, '😀' 4: for each, an odd number of 'a's puts a character across the cut
        for (String ch : new String[] {"é", "€", "😀"}) {
            for (int pad = 0; pad < 4; pad++) {
                String text = "a".repeat(pad) + ch.repeat(OutputRelay.MAX_LINE / ch.getBytes(StandardCharsets.UTF_8).length + 3);
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                OutputRelay.copy(new ByteArrayInputStream((text + "\n").getBytes(StandardCharsets.UTF_8)), new PrintStream(sink), "");
                String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
                assertThat(lines).as("%s after %d", ch, pad).hasSize(2);
                assertThat(String.join("", lines)).as("%s after %d: nothing replaced or lost", ch, pad).isEqualTo(text);
                assertThat(lines[0].getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(OutputRelay.MAX_LINE);
            }
        }
    }

    @Test
    void theCutFallsBeforeAnIncompleteCharacterAndAtTheEndOtherwise() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertThat(OutputRelay.utf8Boundary("abc".getBytes(StandardCharsets.UTF_8))).isEqualTo(3);
        assertThat(OutputRelay.utf8Boundary(new byte[] {'a', euro[0], euro[1]})).isEqualTo(1);
        assertThat(OutputRelay.utf8Boundary(new byte[] {'a', euro[0], euro[1], euro[2]})).isEqualTo(4);
        // not UTF-8 at all: cut where the buffer ends rather than search without end
        assertThat(OutputRelay.utf8Boundary(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80})).isEqualTo(5);
    }

    /** A stream that returns {@code data} a few random bytes at a time. */
    private static InputStream trickle(byte[] data, long seed) {
        Random random = new Random(seed);
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1 + random.nextInt(7)), data.length - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                Thread.yield();
                return n;
            }
        };
    }
}
