package org.seqlab.data.registry;

import org.junit.jupiter.api.Test;
import org.seqlab.core.Sha256;
import org.seqlab.core.UserException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryTest {
    @Test
    void theShippedRegistryNamesEveryCorpusWithItsFormat() {
        Registry r = Registry.load();
        assertEquals(List.of("tiny-shakespeare", "dinosaurus", "jsb-chorales", "nottingham", "musedata", "piano-midi",
                "airline-passengers", "sunspots-monthly"), r.names());
        assertEquals(RegistryEntry.Format.TEXT, r.get("tiny-shakespeare").format());
        assertEquals(RegistryEntry.Format.LINES, r.get("dinosaurus").format());
        for (String music : List.of("jsb-chorales", "nottingham", "musedata", "piano-midi"))
            assertEquals(RegistryEntry.Format.PIANOROLL, r.get(music).format(), music);
        assertEquals(List.of("Month", "Passengers"), r.get("airline-passengers").columns());
        assertEquals(List.of("Month", "Sunspots"), r.get("sunspots-monthly").columns());
        assertEquals("csv (Month, Passengers)", r.get("airline-passengers").formatLabel());
        assertFalse(r.get("nottingham").verified(), "no trustworthy hash was found: marked unknown, not invented");
        assertEquals(1115394L, r.get("tiny-shakespeare").size());
        for (RegistryEntry e : r.entries()) assertTrue(e.file().startsWith(e.name() + "."), e.file());
        assertTrue(assertThrows(UserException.class, () -> r.get("shakespeare")).getMessage()
                .contains("known: tiny-shakespeare, dinosaurus"));
    }

    @Test
    void theDinosaurusHashIsThatOfTheSharedCopyWhenPresent() throws Exception {
        Path dinos = Path.of("..", "..", "..", "shared", "datasets", "dinos.txt");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(dinos), "../shared/datasets/dinos.txt is absent");
        RegistryEntry e = Registry.load().get("dinosaurus");
        assertEquals(e.sha256(), Sha256.of(dinos));
        assertEquals(e.size(), Files.size(dinos));
    }

    @Test
    void mistakesNameFileLineAndColumn() {
        String good = """
                datasets:
                  toy:
                    description: a toy
                    format: text
                    file: toy.txt
                    sha256: unknown
                    licence: none
                    urls: [https://example.org/toy.txt]
                """;
        assertFalse(Registry.parse(good, "r.yaml").get("toy").verified());
        String unknownKey = assertThrows(UserException.class, () -> Registry.parse(good.replace("sha256: unknown", "sha25: unknown"), "r.yaml")).getMessage();
        assertTrue(unknownKey.matches("r\\.yaml:6:\\d+: datasets\\.toy\\.sha25: unknown key 'sha25' \\(expected one of: columns, description, "
                + "file, format, licence, sha256, size, urls\\)"), unknownKey);
        String badHash = assertThrows(UserException.class, () -> Registry.parse(good.replace("unknown", "abc"), "r.yaml")).getMessage();
        assertEquals("r.yaml:2:3: datasets.toy.sha256: expected 64 lower-case hex digits or 'unknown', got abc", badHash);
        String csv = assertThrows(UserException.class, () -> Registry.parse(good.replace("format: text", "format: csv"), "r.yaml")).getMessage();
        assertTrue(csv.contains("columns: a csv entry names its columns"), csv);
        String format = assertThrows(UserException.class, () -> Registry.parse(good.replace("format: text", "format: txt"), "r.yaml")).getMessage();
        assertTrue(format.matches("r\\.yaml:4:\\d+: datasets\\.toy\\.format: .*txt.*"), format);
    }
}
