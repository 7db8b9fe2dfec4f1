package io.cadre.internal.primary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What an AOT cache was built for: the SHA-256 of every classpath entry's content and the JVM's
 * exact version. The JDK does not reliably refuse a cache whose jar was rebuilt, and a stale cache
 * can run stale classes, so Cadre writes this beside each cache it trains ({@code X.aot.fingerprint})
 * and uses a cache only when the fingerprint still matches. Entries are compared by their real path,
 * so {@code java -jar target/app.jar} finds the cache that {@code /srv/app/target/app.jar} trained.
 */
record AotFingerprint(String text) {

    static AotFingerprint of(String classpath) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder text = new StringBuilder();
        text.append("java.vm.version=").append(System.getProperty("java.vm.version")).append('\n');
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.isRegularFile(path)) {
                text.append("entry=").append(entry).append(" (directory or missing)\n");
                continue;
            }
            sha.reset();
            try (InputStream in = Files.newInputStream(path)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                }
            }
            // the real path: the same jar named relative to another directory, or through a link, is the same entry
            text.append("entry=").append(path.toRealPath()).append(" sha256=").append(HexFormat.of().formatHex(sha.digest())).append('\n');
        }
        return new AotFingerprint(text.toString());
    }

    static Path fileFor(Path cache) {
        return Path.of(cache + ".fingerprint");
    }

    void writeFor(Path cache) throws IOException {
        Files.writeString(fileFor(cache), text, StandardCharsets.UTF_8);
    }

    /** Whether {@code cache} has a fingerprint file equal to this one. */
    boolean matches(Path cache) {
        try {
            return Files.readString(fileFor(cache), StandardCharsets.UTF_8).equals(text);
        } catch (IOException e) {
            return false;
        }
    }
}
