package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AotFingerprintTest {
    @TempDir
    Path dir;

    @Test
    void aCacheMatchesOnlyTheJarContentItWasBuiltFor() throws Exception {
        Path jar = dir.resolve("app.jar");
        Path cache = dir.resolve("app.aot");
        Files.writeString(jar, "one");
        AotFingerprint.of(jar.toString()).writeFor(cache);
        assertThat(AotFingerprint.of(jar.toString()).matches(cache)).isTrue();
        Files.writeString(jar, "two"); // same size, new content
        assertThat(AotFingerprint.of(jar.toString()).matches(cache)).isFalse();
        assertThat(AotFingerprint.of(jar.toString()).matches(dir.resolve("other.aot"))).isFalse();
    }
}
