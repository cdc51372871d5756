package org.seqlab.experiments;

import org.seqlab.core.UserException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One seqlab command at a time per output directory: two sweeps (or runs) writing the same
 * trials.jsonl or runs/ would each run every trial, and their files would interleave. The lock is
 * the operating system's, on {@code .seqlab.lock}, so it goes away with the process even after a
 * kill -9; the file says who holds it.
 */
public final class DirectoryLock implements AutoCloseable {
    static final String FILE = ".seqlab.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes {@code dir}'s lock for {@code command}, or stops with who holds it. */
    public static DirectoryLock acquire(Path dir, String command) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            ch.close();
            throw new UserException(dir + " is in use by another seqlab command (" + (holder.isEmpty() ? "unknown" : holder)
                    + "); wait for it to finish, or write elsewhere with --out");
        }
        String me = "pid " + ProcessHandle.current().pid() + ", since " + Instant.now() + ": " + command;
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {            // a full disk: let go of the lock, and say which file
            lock.release();
            ch.close();
            throw org.seqlab.core.AtomicFiles.naming(file, e);
        }
        return new DirectoryLock(ch, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
