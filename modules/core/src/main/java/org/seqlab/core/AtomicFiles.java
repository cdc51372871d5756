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
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, content);
            move(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A fresh empty directory beside {@code target}, to be filled and then {@link #replaceDirectory}'d. */
    public static Path stagingDirectory(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, "." + target.getFileName() + ".staging");
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
        move(staging, target);
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
