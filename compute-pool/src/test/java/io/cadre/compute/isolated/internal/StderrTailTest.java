package io.cadre.compute.isolated.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StderrTailTest {
    /** {@code size} bytes of 'x' without a newline, produced as they are read. */
    private static InputStream endless(long size) {
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLineOfHundredsOfMegabytesIsCutAndTheLinesAfterItAreKept() {
        InputStream stderr = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                text("first\r\n"), endless(300L << 20), text("\nafter\n"))));
        StderrTail tail = new StderrTail(stderr, 10, "test-stderr");
        tail.awaitEnd(60_000);
        List<String> lines = tail.lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("first");
        assertThat(lines.get(1)).hasSize(StderrTail.MAX_LINE_BYTES + 3).endsWith("...");
        assertThat(lines.get(2)).isEqualTo("after");
    }

    @Test
    void theLastLinesAreKeptAndAFatalErrorReportIsRead() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            out.append("line ").append(i).append('\n');
        }
        out.append("# A fatal error has been detected by the Java Runtime Environment:\n#\n#  SIGSEGV (0xb) at pc=0x0\n");
        out.append("# /tmp/hs_err_pid42.log\nno newline at the end");
        StderrTail tail = new StderrTail(text(out.toString()), 3, "test-stderr");
        tail.awaitEnd(10_000);
        assertThat(tail.lines()).containsExactly("#  SIGSEGV (0xb) at pc=0x0", "# /tmp/hs_err_pid42.log", "no newline at the end");
        assertThat(tail.fatal()).isTrue();
        assertThat(tail.fatalSignal()).isEqualTo("SIGSEGV");
        assertThat(tail.errorFile()).isEqualTo("/tmp/hs_err_pid42.log");
    }
}
