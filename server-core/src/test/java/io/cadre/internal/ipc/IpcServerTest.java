package io.cadre.internal.ipc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpcServerTest {
    @TempDir
    Path dir;

    @Test
    void aSocketPathTooLongForTheKernelIsRefusedNamingThePathAndTheWayOut() throws IOException {
        Path deep = Files.createDirectories(dir.resolve("x".repeat(60)).resolve("y".repeat(60)));
        Path socket = deep.resolve("ipc.sock");
        assertThatThrownBy(() -> IpcServer.open(socket, Files.getOwner(dir), channel -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socket.toString())
                .hasMessageContaining("CADRE_RUNTIME_DIR");
    }
}
