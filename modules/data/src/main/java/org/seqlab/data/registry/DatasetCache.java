package org.seqlab.data.registry;

import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Sha256;
import org.seqlab.core.UserException;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Where registry datasets live once downloaded: {@code $SEQLAB_CACHE} (default
 * {@code ~/.cache/seqlab}), one file per dataset named as the registry says.
 *
 * <p>Nothing unverified ever takes a dataset's name: a download goes to {@code FILE.part}, is
 * hashed, and only a file with the registry's SHA-256 is renamed into place (atomically). A
 * {@code .part} cut short by a timeout or a dropped connection is kept and resumed with a Range
 * request next time; one whose hash turns out wrong is deleted. For an entry whose hash is not
 * known, {@code --trust-unverified} downloads it anyway (never resumed, as nothing could check the
 * pieces) and records the hash it got in {@code FILE.sha256}, against which later uses check it.
 */
public final class DatasetCache {
    public static final String CACHE_ENV = "SEQLAB_CACHE";
    public static final String OFFLINE_ENV = "SEQLAB_OFFLINE";
    /** One download of a dataset at a time in this JVM (sweep workers share the cache). */
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    /** A dataset file ready to read. */
    public record Fetched(Path file, String sha256, boolean downloaded, boolean verified) {}

    public enum State { NOT_CACHED, PARTIAL, CACHED }

    /**
     * What {@link #verify} found.
     *
     * @param expected the registry's hash, or the one recorded at download for an unverified entry
     * @param actual   the cached file's hash, or null when it is not cached
     */
    public record Verification(RegistryEntry entry, State state, String expected, String actual) {
        public boolean ok() {
            return actual != null && actual.equals(expected);
        }
    }

    private final Path root;
    private final boolean offline;
    private final Downloader downloader;

    public DatasetCache(Path root, boolean offline, Downloader downloader) {
        this.root = root;
        this.offline = offline;
        this.downloader = downloader;
    }

    /** The cache the environment describes: $SEQLAB_CACHE, offline when asked or SEQLAB_OFFLINE=1. */
    public static DatasetCache fromEnvironment(boolean offline, Downloader downloader) {
        String dir = System.getenv(CACHE_ENV);
        Path root = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "seqlab");
        String env = System.getenv(OFFLINE_ENV);
        boolean envOffline = env != null && !env.isBlank() && !env.equals("0") && !env.equalsIgnoreCase("false");
        return new DatasetCache(root, offline || envOffline, downloader);
    }

    public Path root() {
        return root;
    }

    public boolean offline() {
        return offline;
    }

    public Path file(RegistryEntry e) {
        return root.resolve(e.file());
    }

    private Path part(RegistryEntry e) {
        return root.resolve(e.file() + ".part");
    }

    /** Where the hash of an unverified entry's download is recorded (sha256sum's format). */
    public Path recordedHash(RegistryEntry e) {
        return root.resolve(e.file() + ".sha256");
    }

    public State state(RegistryEntry e) {
        if (Files.isRegularFile(file(e))) return State.CACHED;
        return Files.isRegularFile(part(e)) ? State.PARTIAL : State.NOT_CACHED;
    }

    /** The dataset's file, downloaded first when needed; never downloads an entry without a known hash. */
    public Fetched require(RegistryEntry e, Consumer<String> log) {
        return fetch(e, false, log);
    }

    /**
     * The dataset's file: the cached one when its hash checks out, else downloaded from the first
     * mirror that delivers the right bytes. Every failure is one user error naming the dataset,
     * each URL tried and what happened, and how to place the file by hand.
     *
     * @param trustUnverified download an entry whose hash the registry does not know, recording the hash it got
     */
    public Fetched fetch(RegistryEntry e, boolean trustUnverified, Consumer<String> log) {
        synchronized (LOCKS.computeIfAbsent(file(e).toAbsolutePath(), k -> new Object())) {
            try {
                Path target = file(e);
                if (Files.isRegularFile(target)) {
                    String sha = Sha256.of(target);
                    String expected = expected(e);
                    if (expected == null) {          // placed by hand for an entry with no known hash: take it, remember it
                        record(e, sha);
                        log.accept("dataset " + e.name() + ": using " + target + " as placed (no known SHA-256; recorded sha256 "
                                + sha + " in " + recordedHash(e) + ")");
                        return new Fetched(target, sha, false, false);
                    }
                    if (sha.equals(expected)) return new Fetched(target, sha, false, e.verified());
                    String problem = target + " does not match the " + (e.verified() ? "registry" : "recorded hash")
                            + " (sha256 " + sha + ", expected " + expected + ")";
                    if (offline) throw new UserException("dataset " + e.name() + ": " + problem + "; " + byHand(e));
                    log.accept("dataset " + e.name() + ": " + problem + "; downloading it again");
                }
                if (offline)
                    throw new UserException("dataset " + e.name() + " is not in the cache and seqlab is offline (--offline or "
                            + OFFLINE_ENV + "=1); " + byHand(e));
                if (!e.verified() && !trustUnverified)
                    throw new UserException("dataset " + e.name() + " has no known SHA-256 in " + Registry.FILE
                            + ", so seqlab will not download it unchecked: run `seqlab datasets fetch " + e.name()
                            + " --trust-unverified` to fetch it anyway and record the hash it gets");
                return download(e, log);
            } catch (IOException x) {
                throw new UserException("dataset " + e.name() + ": cannot use the cache " + root + ": " + x);
            }
        }
    }

    private Fetched download(RegistryEntry e, Consumer<String> log) throws IOException {
        boolean rootCreated = !Files.isDirectory(root);
        Files.createDirectories(root);
        Path part = part(e);
        List<String> failures = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException x) {
                lock = null;
            }
            if (lock == null)
                throw new UserException("dataset " + e.name() + ": another seqlab process is downloading it into " + part
                        + "; wait for it to finish (or delete that file if none is)");
            try {
                if (!e.verified() || e.size() != null && ch.size() > e.size()) ch.truncate(0);
                for (String url : e.urls()) {
                    long had = ch.size();
                    log.accept("dataset " + e.name() + ": " + (had > 0 ? "resuming at byte " + had + " from " : "downloading ") + url);
                    try {
                        downloader.download(URI.create(url), part);
                    } catch (Downloader.Failure f) {
                        failures.add(url + ": " + f.getMessage());
                        continue;
                    }
                    String sha = Sha256.of(part);
                    long size = Files.size(part);
                    if (e.verified() && !sha.equals(e.sha256())) {
                        ch.truncate(0);                      // wrong bytes are never kept, not even to resume
                        failures.add(url + ": checksum mismatch: got sha256 " + sha + " (" + size + " bytes), expected "
                                + e.sha256() + (e.size() == null ? "" : " (" + e.size() + " bytes)"));
                        continue;
                    }
                    if (!e.verified()) {
                        record(e, sha);
                        log.accept("dataset " + e.name() + ": no known SHA-256; got sha256 " + sha + " (" + size
                                + " bytes), recorded in " + recordedHash(e));
                    }
                    move(part, file(e));
                    return new Fetched(file(e), sha, true, e.verified());
                }
            } finally {
                lock.release();
            }
        } finally {
            if (Files.isRegularFile(part) && Files.size(part) == 0) Files.delete(part);
            if (rootCreated && isEmpty(root)) Files.delete(root);
        }
        String kept = Files.isRegularFile(part) ? " (the " + Files.size(part) + " bytes received are kept in " + part + " and resumed next time)" : "";
        throw new UserException("dataset " + e.name() + ": could not download it: " + String.join("; ", failures) + kept + ". " + capitalised(byHand(e)));
    }

    /** Rehashes the cached file against the registry (or the hash recorded at download). */
    public Verification verify(RegistryEntry e) {
        try {
            State s = state(e);
            return new Verification(e, s, expected(e), s == State.CACHED ? Sha256.of(file(e)) : null);
        } catch (IOException x) {
            throw new UserException("dataset " + e.name() + ": cannot read " + file(e) + ": " + x);
        }
    }

    /** The registry's hash, else the one recorded when an unverified entry was fetched. */
    private String expected(RegistryEntry e) throws IOException {
        if (e.verified()) return e.sha256();
        Path rec = recordedHash(e);
        if (!Files.isRegularFile(rec)) return null;
        String[] parts = Files.readString(rec).trim().split("\\s+");
        return parts.length > 0 && parts[0].matches("[0-9a-f]{64}") ? parts[0] : null;
    }

    private void record(RegistryEntry e, String sha) throws IOException {
        AtomicFiles.writeString(recordedHash(e), sha + "  " + e.file() + "\n");
    }

    /** "download URL (mirrors: ...) yourself and save it as PATH (N bytes, sha256 X)". */
    public String byHand(RegistryEntry e) {
        List<String> facts = new ArrayList<>();
        if (e.size() != null) facts.add(e.size() + " bytes");
        if (e.verified()) facts.add("sha256 " + e.sha256());
        return "download " + e.urls().get(0) + (e.urls().size() > 1 ? " (or a mirror: " + String.join(", ", e.urls().subList(1, e.urls().size())) + ")" : "")
                + " yourself and save it as " + file(e).toAbsolutePath() + (facts.isEmpty() ? "" : " (" + String.join(", ", facts) + ")");
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException x) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
