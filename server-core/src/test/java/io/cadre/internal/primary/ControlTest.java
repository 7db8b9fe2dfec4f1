package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlTest {
    @TempDir
    Path dir;

    @Test
    void aHugeThreadDumpIsPrintedOnlyInPartAndNamesItsFile() throws Exception {
        Path dump = dir.resolve("threads.txt");
        Files.write(dump, new byte[Control.DUMP_PRINT_LIMIT + 1000]);
        String shown = Control.readQuietly(dump);
        assertThat(shown.length()).isLessThan(Control.DUMP_PRINT_LIMIT + 200);
        assertThat(shown).endsWith("... (1000 more bytes in " + dump + ")");
    }

    @Test
    void aSmallDumpIsPrintedWholeAndAMissingOneSaysSo() throws Exception {
        Path dump = Files.writeString(dir.resolve("t.txt"), "\"main\" #1 RUNNABLE\n");
        assertThat(Control.readQuietly(dump)).isEqualTo("\"main\" #1 RUNNABLE\n");
        assertThat(Control.readQuietly(dir.resolve("gone.txt"))).startsWith("(cannot read it:");
    }

    @Test
    void aClientThatSendsNoCommandIsDisconnectedInsteadOfHeldForEver() throws Exception {
        java.nio.channels.SocketChannel[] pair = io.cadre.internal.ipc.TestSockets.pair(dir.resolve("c.sock"));
        try (java.nio.channels.SocketChannel client = pair[0]) {
            Thread server = Thread.ofVirtual().start(() -> Control.serve(pair[1], null, 1_000, 200));
            assertThat(server.join(java.time.Duration.ofSeconds(10))).as("serve returned").isTrue();
            assertThat(client.read(java.nio.ByteBuffer.allocate(1))).as("the connection was closed").isEqualTo(-1);
        }
    }
}
