package io.cadre.state.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.state.testing.TestRedis;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisBinaryTest {
    @TempDir
    Path tmp;

    @Test
    void theEmbeddedBinaryIsExtractedIntoAPrivateDirectoryAndReportsVersion7() throws Exception {
        Path dir = tmp.resolve("bin");
        RedisBinary binary = RedisBinary.embedded(dir);

        assertThat(binary.source()).isEqualTo(RedisBinary.Source.EMBEDDED);
        assertThat(binary.version()).startsWith("7.");
        assertThat(binary.majorVersion()).isEqualTo(7);
        assertThat(binary.path().getParent()).isEqualTo(dir.toAbsolutePath());
        assertThat(binary.path().getFileName().toString()).startsWith("redis-server-7.0.15-linux-");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(binary.path()))).isEqualTo("rwx------");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file is left").containsExactly(binary.path());
        }
    }

    @Test
    void anExtractedFileWithTheRightChecksumIsReused() throws Exception {
        RedisBinary first = RedisBinary.embedded(tmp);
        Object inode = Files.readAttributes(first.path(), BasicFileAttributes.class).fileKey();

        RedisBinary second = RedisBinary.embedded(tmp);

        assertThat(second.path()).isEqualTo(first.path());
        assertThat(Files.readAttributes(second.path(), BasicFileAttributes.class).fileKey()).isEqualTo(inode);
    }

    @Test
    void aTamperedFileIsExtractedAgain() throws Exception {
        RedisBinary first = RedisBinary.embedded(tmp);
        Files.writeString(first.path(), "#!/bin/sh\necho 'Redis server v=9.9.9'\n");

        RedisBinary second = RedisBinary.embedded(tmp);

        assertThat(second.version()).startsWith("7.0.");
        String resource = first.path().getFileName().toString();
        assertThat(EmbeddedRedisBinary.sha256(second.path())).isEqualTo(EmbeddedRedisBinary.resourceSha256(resource));
    }

    @Test
    void primariesExtractingAtOnceAllGetAWholeBinary() throws Exception {
        Path dir = tmp.resolve("shared");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<RedisBinary>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit((Callable<RedisBinary>) () -> RedisBinary.embedded(dir)));
            }
            for (Future<RedisBinary> result : results) {
                assertThat(result.get().version()).startsWith("7.");
            }
        } finally {
            pool.shutdownNow();
        }
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void aDirectoryOthersCanWriteIsRefused() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> RedisBinary.embedded(open)).hasMessageContaining("writable by others");
    }

    @Test
    void aRedisServerOnPathComesBeforeTheEmbeddedOne() throws Exception {
        Path pathDir = Files.createDirectory(tmp.resolve("path"));
        Files.createSymbolicLink(pathDir.resolve("redis-server"), TestRedis.binary().path());

        RedisBinary found = RedisBinary.locate(null, tmp.resolve("extract"), "/no/such/dir:" + pathDir);

        assertThat(found.source()).isEqualTo(RedisBinary.Source.PATH);
        assertThat(found.path()).isEqualTo(pathDir.resolve("redis-server"));
        assertThat(found.version()).isEqualTo(TestRedis.binary().version());
        assertThat(tmp.resolve("extract")).doesNotExist();
    }

    @Test
    void aRedisServerOnPathThatDoesNotRunIsPassedOver() throws Exception {
        Path pathDir = Files.createDirectory(tmp.resolve("path"));
        Path broken = Files.writeString(pathDir.resolve("redis-server"), "#!/bin/sh\nexit 3\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwx------"));

        RedisBinary found = RedisBinary.locate(null, tmp.resolve("extract"), pathDir.toString());

        assertThat(found.source()).isEqualTo(RedisBinary.Source.EMBEDDED);
        assertThat(found.path().getParent()).isEqualTo(tmp.resolve("extract"));
    }

    @Test
    void anExplicitPathComesFirstAndMustRun() throws Exception {
        RedisBinary found = RedisBinary.locate(TestRedis.binary().path(), tmp.resolve("unused"));
        assertThat(found.source()).isEqualTo(RedisBinary.Source.EXPLICIT);
        assertThat(tmp.resolve("unused")).doesNotExist();

        assertThatThrownBy(() -> RedisBinary.locate(tmp.resolve("nothing-here"), tmp))
                .hasMessageContaining("does not exist");
        Path notRedis = Files.writeString(tmp.resolve("not-redis"), "#!/bin/sh\necho hello\n");
        Files.setPosixFilePermissions(notRedis, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> RedisBinary.locate(notRedis, tmp)).hasMessageContaining("printed no Redis version");
    }

    @Test
    void onlyLinuxOnX8664AndArm64HaveAnEmbeddedBinary() {
        assertThat(RedisBinary.resourceName("Linux", "amd64")).isEqualTo("redis-server-7.0.15-linux-amd64");
        assertThat(RedisBinary.resourceName("Linux", "aarch64")).isEqualTo("redis-server-7.0.15-linux-arm64");
        assertThat(EmbeddedRedisBinary.class.getClassLoader().getResource("redis-server-7.0.15-linux-arm64")).isNotNull();

        assertThatThrownBy(() -> RedisBinary.resourceName("Mac OS X", "aarch64"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("needs Linux x86_64 or arm64")
                .hasMessageContaining("Redis URL");
        assertThatThrownBy(() -> RedisBinary.resourceName("Linux", "i386")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theExtractedFileIsNotFollowedThroughASymlink() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim"), "keep me");
        Path dir = Files.createDirectory(tmp.resolve("bin"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String name = RedisBinary.resourceName(System.getProperty("os.name"), System.getProperty("os.arch"));
        Files.createSymbolicLink(dir.resolve(name), victim);

        RedisBinary binary = RedisBinary.embedded(dir);

        assertThat(Files.isSymbolicLink(binary.path())).isFalse();
        assertThat(Files.isRegularFile(binary.path(), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(victim)).isEqualTo("keep me");
    }
}
