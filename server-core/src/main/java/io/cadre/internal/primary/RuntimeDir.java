package io.cadre.internal.primary;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The primary's private files: a per-user base directory (mode 0700, owned by this user), holding
 * one directory per running primary ({@code primary-<pid>}, 0700, with the IPC socket) and the
 * port lock files. The base is {@code $CADRE_RUNTIME_DIR}, else {@code $XDG_RUNTIME_DIR/cadre},
 * else {@code <java.io.tmpdir>/cadre-<user>}. A base owned by someone else, or open to others, is
 * refused rather than used.
 */
final class RuntimeDir implements AutoCloseable {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private final Path base;
    private final Path instance;
    private final UserPrincipal owner;

    private RuntimeDir(Path base, Path instance, UserPrincipal owner) {
        this.base = base;
        this.instance = instance;
        this.owner = owner;
    }

    static RuntimeDir create(Map<String, String> env) throws IOException {
        Path base = baseFor(env);
        ensurePrivate(base);
        UserPrincipal owner = Files.getOwner(base, LinkOption.NOFOLLOW_LINKS);
        removeStale(base, owner);
        Path instance = base.resolve("primary-" + ProcessHandle.current().pid());
        if (Files.exists(instance, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(instance); // left by an earlier process with our pid
        }
        Files.createDirectory(instance, PosixFilePermissions.asFileAttribute(PRIVATE));
        Files.setPosixFilePermissions(instance, PRIVATE);
        return new RuntimeDir(base, instance, owner);
    }

    static Path baseFor(Map<String, String> env) {
        String explicit = env.get("CADRE_RUNTIME_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath(); // a relative one has no parent to create
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Files.isDirectory(Path.of(xdg)) && Files.isWritable(Path.of(xdg))) {
            return Path.of(xdg, "cadre");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "cadre-" + System.getProperty("user.name"));
    }

    private static void ensurePrivate(Path dir) throws IOException {
        try {
            if (dir.getParent() == null) {
                throw new IOException("runtime directory " + dir + " cannot be the file system's root; set CADRE_RUNTIME_DIR to a directory of your own");
            }
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("runtime directory " + dir + " is not a directory");
        }
        Path probe = Files.createTempFile(dir, ".owner", "");
        UserPrincipal me = Files.getOwner(probe);
        Files.delete(probe);
        UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
        if (!owner.equals(me)) {
            throw new IOException("runtime directory " + dir + " belongs to " + owner.getName() + ", not to " + me.getName()
                    + "; set CADRE_RUNTIME_DIR to a directory of your own");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!perms.equals(PRIVATE)) {
            Files.setPosixFilePermissions(dir, PRIVATE);
        }
    }

    /** What a primary leaves in its directory: nothing else is ever deleted as stale. */
    private static final Set<String> OURS = Set.of("ipc.sock", Control.SOCKET, Control.PORT_FILE);

    /**
     * Deletes the directories of primaries that are no longer running: only real directories of
     * {@code owner} that hold nothing but what a primary leaves (a base shared with other programs
     * may have a "primary-2023" of its own). Two primaries cleaning at once both go on.
     */
    private static void removeStale(Path base, UserPrincipal owner) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "primary-*")) {
            for (Path dir : dirs) {
                try {
                    long pid = Long.parseLong(dir.getFileName().toString().substring("primary-".length()));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) || !leftByAPrimary(dir, owner)) {
                        continue;
                    }
                    deleteTree(dir);
                } catch (NumberFormatException | IOException | java.io.UncheckedIOException e) {
                    // not ours to judge, or another primary removed it first
                }
            }
        } catch (IOException e) {
            // nothing to clean
        }
    }

    private static boolean leftByAPrimary(Path dir, UserPrincipal owner) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !owner.equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS))) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!OURS.contains(entry.getFileName().toString()) || Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
            }
        }
        return true;
    }

    Path base() {
        return base;
    }

    Path instance() {
        return instance;
    }

    Path ipcSocket() {
        return instance.resolve("ipc.sock");
    }

    UserPrincipal owner() {
        return owner;
    }

    @Override
    public void close() {
        try {
            deleteTree(instance);
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort; removed by the next primary otherwise
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // removed meanwhile (another primary cleaning the same stale directory)
        } catch (java.io.UncheckedIOException e) {
            if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                throw e.getCause();
            }
        }
    }
}
