package org.seqlab.experiments;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every experiment file users start from binds (keys, types, ranges, families): loading only, no training. */
class ShippedExperimentsTest {
    @Test
    void everyShippedExperimentLoads() throws IOException {
        Path dir = Path.of("").toAbsolutePath().getFileName().toString().equals("experiments") ? Path.of("") : Path.of("experiments");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no experiment files found in " + dir.toAbsolutePath());
        for (Path f : files) {
            ExperimentConfig c = ConfigLoader.load(f, List.of()).config();
            assertFalse(c.models().isEmpty(), f + " lists models");
        }
        assertTrue(files.stream().anyMatch(f -> f.endsWith("three-families.yaml")), "the showcase is shipped");
    }
}
