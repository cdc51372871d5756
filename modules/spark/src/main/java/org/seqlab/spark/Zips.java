package org.seqlab.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** A file or a directory as bytes and back: how data goes to Spark executors and trial files come back. */
final class Zips {
    private Zips() {}

    /** {@code root} (a file, or a directory with everything under it that {@code keep} accepts) as zip bytes. */
    static byte[] zip(Path root, Predicate<Path> keep) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes); Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            for (Path f : files) {
                Path rel = Files.isDirectory(root) ? root.relativize(f) : f.getFileName();
                if (!keep.test(rel)) continue;
                z.putNextEntry(new ZipEntry(rel.toString().replace('\\', '/')));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Writes the files of {@code zip} under {@code dir}, refusing any entry that would land outside it. */
    static void unzip(byte[] zip, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path base = dir.toAbsolutePath().normalize();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                Path target = base.resolve(e.getName()).normalize();
                if (!target.startsWith(base)) throw new IOException("zip entry outside its directory: " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(z, target);
            }
        }
    }
}
