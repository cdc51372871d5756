package org.seqlab.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.data.SplitMethod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-example test-loss file: exact round trip, a split identity that tells splits apart, and clear errors. */
class TestLossesTest {
    @TempDir
    Path dir;

    private static TestLosses sample(long splitSeed, long[] count) {
        return TestLosses.of("lstm", 7L, false, Results.Unit.TOKEN, "sha", SplitMethod.examples(List.of(0.8, 0.1, 0.1), splitSeed),
                "sequence", new double[]{1.0 / 3, 12.5, Math.PI}, count);
    }

    @Test
    void writesAndReadsBackEveryDigit() throws IOException {
        TestLosses t = sample(0, new long[]{2, 5, 3});
        Path f = dir.resolve(TestLosses.fileName("lstm", 7L));
        t.write(f);
        TestLosses back = TestLosses.read(f);
        assertEquals(t.header(), back.header());
        assertArrayEquals(t.loss(), back.loss(), 0.0);
        assertArrayEquals(t.count(), back.count());
        assertEquals(10, back.header().predictions());
        assertEquals((1.0 / 3 + 12.5 + Math.PI) / 10, back.meanLoss(), 1e-15);
        assertTrue(Files.readString(f).startsWith("# {\"format\":\"" + TestLosses.FORMAT + "\""), "one header line of JSON");
    }

    @Test
    void anotherSplitSeedOrOtherExamplesAreAnotherSplit() {
        String base = sample(0, new long[]{2, 5, 3}).header().splitIdentity();
        assertNotEquals(base, sample(1, new long[]{2, 5, 3}).header().splitIdentity());
        assertNotEquals(base, sample(0, new long[]{2, 3, 5}).header().splitIdentity());
        assertEquals(base, sample(0, new long[]{2, 5, 3}).header().splitIdentity());
    }

    @Test
    void aCutShortOrGarbledFileIsRefusedNamingItsLine() throws IOException {
        Path f = dir.resolve("x.tsv");
        sample(0, new long[]{2, 5, 3}).write(f);
        List<String> lines = Files.readAllLines(f);
        Files.write(f, lines.subList(0, 4));
        IOException cut = assertThrows(IOException.class, () -> TestLosses.read(f));
        assertTrue(cut.getMessage().contains("x.tsv") && cut.getMessage().contains("cut short"), cut.getMessage());
        Files.write(f, List.of(lines.get(0), lines.get(1), "1.5\tmany"));
        IOException bad = assertThrows(IOException.class, () -> TestLosses.read(f));
        assertTrue(bad.getMessage().contains("line 3"), bad.getMessage());
    }
}
