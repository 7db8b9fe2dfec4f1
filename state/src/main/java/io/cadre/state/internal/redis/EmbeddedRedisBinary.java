package io.cadre.state.internal.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts the redis-server that the {@code org.signal:embedded-redis} jar ships as a resource at
 * its root ({@code redis-server-7.0.15-linux-amd64}, {@code ...-linux-arm64}) into a private
 * directory. An extracted file is reused only when its SHA-256 matches the resource's (computed
 * once per JVM); otherwise the binary is written to a temporary file in the same directory and
 * moved into place atomically, so that primaries extracting at the same time never run a
 * half-written file. Safe to call from any thread and any number of processes.
 */
final class EmbeddedRedisBinary {
    static final String RESOURCE_PREFIX = "redis-server-7.0.15-";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisBinary.class);
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private static final Map<String, byte[]> RESOURCE_SHA256 = new ConcurrentHashMap<>();

    private EmbeddedRedisBinary() {
    }

    /** Extracts (or reuses) the binary for this OS and architecture in {@code dir}, and checks that it runs. */
    static RedisBinary extract(Path dir) throws IOException {
        String resource = RedisBinary.resourceName(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
        Path target = extract(dir, resource);
        try {
            return RedisBinary.of(target, RedisBinary.Source.EMBEDDED);
        } catch (IOException e) {
            throw new IOException("the embedded redis-server extracted to " + target + " does not run (" + e.getMessage()
                    + "); is " + dir + " on a noexec mount? Choose another runtime directory, put redis-server on PATH,"
                    + " or pass a Redis URL", e);
        }
    }

    static Path extract(Path dir, String resource) throws IOException {
        ensurePrivateDir(dir);
        byte[] expected = resourceSha256(resource);
        Path target = dir.resolve(resource);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(sha256(target), expected)) {
            if (!Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE)) {
                Files.setPosixFilePermissions(target, PRIVATE);
            }
            return target;
        }
        Path tmp = Files.createTempFile(dir, "." + resource + "-", ".tmp", PosixFilePermissions.asFileAttribute(PRIVATE));
        try {
            byte[] written;
            try (InputStream in = open(resource);
                    DigestInputStream digest = new DigestInputStream(in, sha256());
                    FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = Channels.newOutputStream(ch)) {
                digest.transferTo(out);
                out.flush();
                ch.force(true);
                written = digest.getMessageDigest().digest();
            }
            if (!Arrays.equals(written, expected)) {
                throw new IOException("the resource " + resource + " changed while it was extracted");
            }
            Files.setPosixFilePermissions(tmp, PRIVATE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            log.debug("extracted {} to {}", resource, target);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates {@code dir} with mode 0700 when missing; refuses one of another user or open to others. */
    static void ensurePrivateDir(Path dir) throws IOException {
        try {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory");
        }
        UserPrincipal me = currentUser(dir);
        UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
        if (!owner.equals(me)) {
            throw new IOException(dir + " belongs to " + owner.getName() + ", not to " + me.getName()
                    + "; the redis-server binary must be extracted into a private directory");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(dir + " is writable by others (" + PosixFilePermissions.toString(perms)
                    + "); the redis-server binary must be extracted into a private directory");
        }
    }

    private static UserPrincipal currentUser(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, ".owner", "");
        try {
            return Files.getOwner(probe);
        } finally {
            Files.delete(probe);
        }
    }

    static byte[] resourceSha256(String resource) throws IOException {
        byte[] known = RESOURCE_SHA256.get(resource);
        if (known != null) {
            return known;
        }
        try (InputStream in = open(resource); DigestInputStream digest = new DigestInputStream(in, sha256())) {
            digest.transferTo(OutputStream.nullOutputStream());
            byte[] sha = digest.getMessageDigest().digest();
            RESOURCE_SHA256.putIfAbsent(resource, sha);
            return sha;
        }
    }

    static byte[] sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
                DigestInputStream digest = new DigestInputStream(in, sha256())) {
            digest.transferTo(OutputStream.nullOutputStream());
            return digest.getMessageDigest().digest();
        }
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = EmbeddedRedisBinary.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("the resource " + resource + " is not on the classpath (org.signal:embedded-redis missing?);"
                    + " put redis-server on PATH or pass a Redis URL");
        }
        return in;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
