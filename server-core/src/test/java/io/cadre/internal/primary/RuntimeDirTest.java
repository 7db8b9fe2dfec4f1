package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeDirTest {
    /** No process has this pid (above Linux's pid_max). */
    static final long DEAD = 2_147_483_000L;

    @TempDir
    Path base;

    @Test
    void onlyWhatADeadPrimaryLeftIsRemovedAsStale() throws IOException {
        Path stale = Files.createDirectory(base.resolve("primary-" + DEAD));
        Files.writeString(stale.resolve("port"), "8080");
        Files.writeString(stale.resolve("ipc.sock"), "");
        Path foreign = Files.createDirectory(base.resolve("primary-" + (DEAD + 1)));
        Files.writeString(foreign.resolve("report.csv"), "somebody else's data");
        Path nested = Files.createDirectories(base.resolve("primary-" + (DEAD + 2)).resolve("keep"));

        try (RuntimeDir dir = RuntimeDir.create(Map.of("CADRE_RUNTIME_DIR", base.toString()))) {
            assertThat(dir.instance()).isDirectory();
            assertThat(stale).doesNotExist();
            assertThat(foreign.resolve("report.csv")).as("a directory Cadre did not make is left alone").exists();
            assertThat(nested).exists();
        }
    }

    @Test
    void theFileSystemRootIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> RuntimeDir.create(Map.of("CADRE_RUNTIME_DIR", "/")))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot be the file system's root");
    }
}
