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

    @Test
    void theSameJarNamedRelativelyOrThroughALinkMatches() throws Exception {
        Path jar = dir.resolve("app.jar");
        Path cache = dir.resolve("app.aot");
        Files.writeString(jar, "one");
        AotFingerprint.of(jar.toString()).writeFor(cache);
        Path relative = Path.of("").toAbsolutePath().relativize(jar);
        assertThat(relative.isAbsolute()).isFalse();
        assertThat(AotFingerprint.of(relative.toString()).matches(cache)).isTrue();
        Path link = Files.createSymbolicLink(dir.resolve("current.jar"), jar);
        assertThat(AotFingerprint.of(link.toString()).matches(cache)).isTrue();
    }
}
