package org.seqlab.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Nothing half-written: files are written to a temporary sibling and renamed into place;
 * directories are built beside their target and swapped in.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void writeString(Path file, String content) throws IOException {
        writeBytes(file, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeBytes(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = fresh(dir, "." + file.getFileName(), ".tmp", false);
        try {
            Files.write(tmp, content);
            move(tmp, file);
        } catch (IOException e) {
            throw naming(file, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * {@code e} with the file it was about: a failed write() says only "No space left on device",
     * and the user needs to know where.
     */
    public static IOException naming(Path file, IOException e) {
        if (e instanceof java.nio.file.FileSystemException) return e;
        IOException named = new java.nio.file.FileSystemException(file.toString(), null, e.getMessage());
        named.initCause(e);
        return named;
    }

    /**
     * A new file or directory with a random name in {@code dir}, created as any file is, so that
     * the umask decides its mode (a report can be served or shared). Files.createTempFile and
     * createTempDirectory would make it 0600 / 0700, and the rename would keep that.
     */
    private static Path fresh(Path dir, String prefix, String suffix, boolean directory) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + suffix);
            try {
                return directory ? Files.createDirectory(p) : Files.createFile(p);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                if (attempt > 100) throw taken;
            }
        }
    }

    /** A fresh empty directory beside {@code target}, to be filled and then {@link #replaceDirectory}'d. */
    public static Path stagingDirectory(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return fresh(parent, "." + target.getFileName() + ".staging", "", true);
    }

    /**
     * Puts the filled {@code staging} directory at {@code target}. The old target is moved aside
     * first and deleted last, so a crash leaves either the old or the new directory readable
     * ({@link #resolveDirectory} finds the old one if the swap was interrupted).
     */
    public static void replaceDirectory(Path staging, Path target) throws IOException {
        Path old = target.resolveSibling(target.getFileName() + ".old");
        deleteTree(old);
        if (Files.exists(target)) move(target, old);
        try {
            move(staging, target);
        } catch (IOException e) {
            try {
                if (Files.exists(old)) move(old, target);    // put the old one back where readers look first
            } catch (IOException stillThere) {
                // resolveDirectory finds it at old
            }
            throw e;
        }
        deleteTree(old);
    }

    /** {@code dir}, or its ".old" copy when a swap was interrupted between its two renames. */
    public static Path resolveDirectory(Path dir) {
        Path old = dir.resolveSibling(dir.getFileName() + ".old");
        return !Files.exists(dir) && Files.isDirectory(old) ? old : dir;
    }

    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
