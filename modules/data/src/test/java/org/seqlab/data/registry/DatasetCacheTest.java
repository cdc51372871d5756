package org.seqlab.data.registry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Sha256;
import org.seqlab.core.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Downloads against a local server: every failure leaves the cache as it was (at most a resumable prefix). */
class DatasetCacheTest {
    @TempDir
    Path cache;
    private LocalServer server;
    private byte[] content;
    private final List<String> log = new ArrayList<>();
    /** Generous limits where nothing should time out (a loaded CI machine is slow), short ones where something must. */
    private static final Downloader PATIENT = new Downloader(Duration.ofSeconds(20), Duration.ofSeconds(20));
    private static final Downloader FAST = new Downloader(Duration.ofSeconds(20), Duration.ofMillis(1500));

    @BeforeEach
    void start() throws IOException {
        content = new byte[50_000];
        new SplittableRandom(7).nextBytes(content);
        server = new LocalServer(content);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RegistryEntry entryWithHash(String sha256, String... paths) {
        return new RegistryEntry("toy", "a test corpus", RegistryEntry.Format.TEXT, null, "toy.txt", sha256,
                sha256 == null ? null : (long) content.length, "test data",
                Arrays.stream(paths).map(p -> server.url(p).toString()).toList());
    }

    private RegistryEntry entry(String... paths) {
        return entryWithHash(Sha256.of(content), paths);
    }

    private DatasetCache cache(boolean offline) {
        return new DatasetCache(cache, offline, PATIENT);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private UserException fails(RegistryEntry e) throws IOException {
        List<String> before = listing();
        UserException x = assertThrows(UserException.class, () -> new DatasetCache(cache, false, FAST).require(e, log::add));
        assertEquals(before, listing(), "the cache is unchanged");
        assertEquals(1, x.getMessage().lines().count(), "one line: " + x.getMessage());
        assertTrue(x.getMessage().startsWith("dataset toy: could not download it: " + e.urls().get(0)), x.getMessage());
        return x;
    }

    @Test
    void downloadsVerifiesAndThenUsesTheCache() throws Exception {
        DatasetCache.Fetched f = cache(false).require(entry("/ok"), log::add);
        assertTrue(f.downloaded() && f.verified());
        assertEquals(Sha256.of(content), f.sha256());
        assertArrayEquals(content, Files.readAllBytes(f.file()));
        assertEquals(List.of("toy.txt"), listing());
        DatasetCache.Fetched again = cache(true).require(entry("/ok"), log::add);
        assertFalse(again.downloaded(), "cached: no download, even offline");
        assertEquals(1, server.requests.size(), server.requests.toString());
        assertTrue(cache(false).verify(entry("/ok")).ok());
    }

    @Test
    void aChecksumMismatchKeepsNothing() throws Exception {
        String msg = fails(entry("/corrupt")).getMessage();
        assertTrue(msg.contains("/corrupt: checksum mismatch: got sha256 ") && msg.contains("expected " + Sha256.of(content)), msg);
        assertTrue(msg.contains("Download " + server.url("/corrupt") + " yourself and save it as " + cache.resolve("toy.txt").toAbsolutePath()), msg);
    }

    @Test
    void httpErrorsAndTimeoutsKeepNothing() throws Exception {
        assertTrue(fails(entry("/missing")).getMessage().contains("/missing: HTTP 404"));
        long t0 = System.nanoTime();
        String slow = fails(entry("/slow")).getMessage();
        assertTrue(slow.contains("/slow: timed out: no response within 1.5 s"), slow);
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "the timeout bounds the wait");
    }

    @Test
    void aTruncatedBodyLeavesOnlyAResumablePrefix() throws Exception {
        UserException x = assertThrows(UserException.class, () -> cache(false).require(entry("/truncated"), log::add));
        assertTrue(x.getMessage().contains("/truncated: truncated"), x.getMessage());
        assertEquals(List.of("toy.txt.part"), listing(), "no file under the dataset's name");
        byte[] part = Files.readAllBytes(cache.resolve("toy.txt.part"));
        assertTrue(part.length > 0 && part.length < content.length);
        assertArrayEquals(Arrays.copyOf(content, part.length), part, "the part is a prefix of the real file");

        // next time it resumes from the prefix with a Range request
        DatasetCache.Fetched f = cache(false).require(entry("/ok"), log::add);
        assertArrayEquals(content, Files.readAllBytes(f.file()));
        assertEquals("/ok bytes=" + part.length + "-", server.requests.get(server.requests.size() - 1));
        assertEquals(List.of("toy.txt"), listing());
    }

    @Test
    void aStalledBodyTimesOutAndKeepsItsPrefix() throws Exception {
        UserException x = assertThrows(UserException.class, () -> new DatasetCache(cache, false, FAST).require(entry("/stall"), log::add));
        assertTrue(x.getMessage().contains("/stall: timed out: no data for 1.5 s after 25000 byte(s)"), x.getMessage());
        byte[] part = Files.readAllBytes(cache.resolve("toy.txt.part"));
        assertArrayEquals(Arrays.copyOf(content, part.length), part, "what arrived is kept as a prefix to resume");
    }

    @Test
    void resumesAPartialFileAndRestartsWhenTheServerIgnoresRange() throws Exception {
        Files.write(cache.resolve("toy.txt.part"), Arrays.copyOf(content, 12_345));
        assertArrayEquals(content, Files.readAllBytes(cache(false).require(entry("/ok"), log::add).file()));
        assertEquals(List.of("/ok bytes=12345-"), server.requests);
        assertTrue(log.get(0).contains("resuming at byte 12345"), log.toString());

        Files.delete(cache.resolve("toy.txt"));
        Files.write(cache.resolve("toy.txt.part"), Arrays.copyOf(content, 999));
        assertArrayEquals(content, Files.readAllBytes(cache(false).require(entry("/norange"), log::add).file()),
                "a 200 answer to a Range request replaces the prefix");
        assertEquals(List.of("toy.txt"), listing());
    }

    @Test
    void mirrorsAreTriedInOrder() throws Exception {
        DatasetCache.Fetched f = cache(false).require(entry("/missing", "/corrupt", "/truncated", "/ok"), log::add);
        assertArrayEquals(content, Files.readAllBytes(f.file()));
        assertEquals(List.of("/missing null", "/corrupt null", "/truncated null", "/ok bytes=" + content.length / 2 + "-"),
                server.requests, "the last mirror continues where the truncated one stopped");
        assertEquals(List.of("toy.txt"), listing());
    }

    @Test
    void offlineUsesTheCacheOrSaysWhatToPlaceWhere() throws Exception {
        RegistryEntry e = entry("/ok", "/norange");
        UserException x = assertThrows(UserException.class, () -> cache(true).require(e, log::add));
        assertEquals("dataset toy is not in the cache and seqlab is offline (--offline or SEQLAB_OFFLINE=1); download "
                + server.url("/ok") + " (or a mirror: " + server.url("/norange") + ") yourself and save it as "
                + cache.resolve("toy.txt").toAbsolutePath() + " (" + content.length + " bytes, sha256 " + Sha256.of(content) + ")", x.getMessage());
        assertTrue(server.requests.isEmpty() && listing().isEmpty());
        Files.write(cache.resolve("toy.txt"), content);               // placed by hand, as told
        assertTrue(cache(true).require(e, log::add).verified());
        assertTrue(server.requests.isEmpty());
    }

    @Test
    void aCorruptedCachedFileIsReportedAndReplaced() throws Exception {
        RegistryEntry e = entry("/ok");
        Files.write(cache.resolve("toy.txt"), "garbage".getBytes());
        DatasetCache.Verification v = cache(false).verify(e);
        assertFalse(v.ok());
        assertEquals(Sha256.of("garbage".getBytes()), v.actual());
        assertTrue(assertThrows(UserException.class, () -> cache(true).require(e, log::add)).getMessage()
                .contains("toy.txt does not match the registry"));
        assertArrayEquals(content, Files.readAllBytes(cache(false).require(e, log::add).file()));
        assertTrue(cache(false).verify(e).ok());
    }

    @Test
    void unverifiedEntriesNeedTrustAndThenRecordTheirHash() throws Exception {
        RegistryEntry e = entryWithHash(null, "/ok");
        UserException refused = assertThrows(UserException.class, () -> cache(false).require(e, log::add));
        assertTrue(refused.getMessage().contains("has no known SHA-256") && refused.getMessage().contains("--trust-unverified"),
                refused.getMessage());
        assertTrue(listing().isEmpty() && server.requests.isEmpty());

        DatasetCache.Fetched f = cache(false).fetch(e, true, log::add);
        assertFalse(f.verified());
        assertEquals(Sha256.of(content), f.sha256());
        assertEquals(List.of("toy.txt", "toy.txt.sha256"), listing());
        assertEquals(Sha256.of(content) + "  toy.txt\n", Files.readString(cache.resolve("toy.txt.sha256")));
        assertTrue(log.stream().anyMatch(l -> l.contains("recorded in")), log.toString());
        assertEquals(f.sha256(), cache(true).require(e, log::add).sha256(), "later uses check the recorded hash");
        Files.write(cache.resolve("toy.txt"), "changed".getBytes());
        assertFalse(cache(false).verify(e).ok());
    }
}
