package org.seqlab.experiments;

import org.apache.lucene.tests.mockfile.FilterFileChannel;
import org.apache.lucene.tests.mockfile.FilterFileSystemProvider;
import org.apache.lucene.tests.mockfile.FilterPath;
import org.apache.lucene.tests.mockfile.FilterSeekableByteChannel;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.FileSystemException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.spi.FileSystemProvider;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JVM's default file system with a disk that fills up on demand: installed with
 * {@code -Djava.nio.file.spi.DefaultFileSystemProvider=org.seqlab.experiments.FullDiskFileSystem},
 * it counts every write (a write call on a stream or channel, a new file or directory, a rename or
 * copy) and, once armed, fails the Nth and every later one with "No space left on device", as a full
 * disk does. The failing write puts half its bytes on disk first: a real full disk tears writes.
 * Deletes and reads always work. {@code -Dseqlab.fullDiskTrace=true} prints each counted write.
 */
public final class FullDiskFileSystem extends FilterFileSystemProvider {
    private static final AtomicLong writes = new AtomicLong();
    private static volatile long fullFrom = Long.MAX_VALUE;
    private static final java.util.List<String> refused = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    public FullDiskFileSystem(FileSystemProvider builtin) {
        super("file", builtin.getFileSystem(URI.create("file:///")));
    }

    /** The builtin path's toFile() refuses, since it no longer belongs to the default file system. */
    @Override
    public FilterPath wrapPath(Path path) {
        return new FilterPath(path, fileSystem) {
            @Override public java.io.File toFile() {
                return new java.io.File(toString());
            }
        };
    }

    /** True when the JVM runs on this file system (the test's surefire execution sets it). */
    public static boolean installed() {
        return java.nio.file.FileSystems.getDefault().provider() instanceof FullDiskFileSystem;
    }

    /** Counts writes from zero; the disk has room. */
    public static void reset() {
        writes.set(0);
        refused.clear();
        fullFrom = Long.MAX_VALUE;
    }

    /** From now on, the {@code n}th write (1-based) and all after it fail. */
    public static void fullAfter(long n) {
        writes.set(0);
        refused.clear();
        fullFrom = n;
    }

    /** The files whose writes failed since the last reset: what a test's message names. */
    public static java.util.List<String> refused() {
        return java.util.List.copyOf(refused);
    }

    public static long writes() {
        return writes.get();
    }

    /** Counts one write; false when the disk is full for it. */
    private static boolean room(Path p) {
        boolean room = writes.incrementAndGet() < fullFrom;
        if (Boolean.getBoolean("seqlab.fullDiskTrace")) System.err.println("WRITE " + writes.get() + " " + p + " " + Thread.currentThread().getName());
        if (!room) refused.add(p.toString());
        return room;
    }

    private static IOException noSpace() {
        return new IOException("No space left on device");
    }

    private static void check(Path p) throws IOException {
        if (!onDisk(p)) return;
        if (!room(p)) throw new FileSystemException(p.toString(), null, "No space left on device");
    }

    /** /proc and /sys are the kernel's, not a disk's: writing there (e.g. clear_refs) never runs out of space. */
    private static boolean onDisk(Path p) {
        Path a = p.toAbsolutePath();
        return !(a.startsWith("/proc") || a.startsWith("/sys"));
    }

    private static boolean writes(Set<? extends OpenOption> options) {
        return options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        check(dir);
        super.createDirectory(dir, attrs);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        check(target);
        super.move(source, target, options);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        check(target);
        super.copy(source, target, options);
    }

    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        if (!onDisk(path)) return super.newOutputStream(path, options);
        check(path);
        return new FilterOutputStream(super.newOutputStream(path, options)) {
            @Override public void write(int b) throws IOException {
                if (!room(path)) throw noSpace();
                out.write(b);
            }

            @Override public void write(byte[] b, int off, int len) throws IOException {
                if (!room(path)) {
                    out.write(b, off, len / 2);
                    throw noSpace();
                }
                out.write(b, off, len);
            }
        };
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        if (!writes(options) || !onDisk(path)) return super.newByteChannel(path, options, attrs);
        check(path);
        return new FilterSeekableByteChannel(super.newByteChannel(path, options, attrs)) {
            @Override public int write(ByteBuffer src) throws IOException {
                if (!room(path)) throw torn(this::writeHalf, src);
                return super.write(src);
            }

            private void writeHalf(ByteBuffer half) throws IOException {
                super.write(half);
            }
        };
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        if (!writes(options) || !onDisk(path)) return super.newFileChannel(path, options, attrs);
        check(path);
        return new FilterFileChannel(super.newFileChannel(path, options, attrs)) {
            @Override public int write(ByteBuffer src) throws IOException {
                if (!room(path)) throw torn(super::write, src);
                return super.write(src);
            }

            @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
                if (!room(path)) throw noSpace();
                return super.write(srcs, offset, length);
            }

            @Override public int write(ByteBuffer src, long position) throws IOException {
                if (!room(path)) throw noSpace();
                return super.write(src, position);
            }
        };
    }

    private interface Write {
        void write(ByteBuffer b) throws IOException;
    }

    /** Writes the first half of {@code src} and returns the error the rest meets. */
    private static IOException torn(Write w, ByteBuffer src) throws IOException {
        ByteBuffer half = src.duplicate();
        half.limit(half.position() + half.remaining() / 2);
        w.write(half);
        return noSpace();
    }
}
