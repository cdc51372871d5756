package org.seqlab.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * "Nothing half-written", proven with a disk that fills up (FullDiskFileSystem) at one write after
 * another of a run and of a sweep: each time the command stops with one line naming the file (exit 2),
 * every file it leaves is whole (JSON parses, pictures decode, checkpoints load, no temporary files),
 * and the same command, with room again, finishes with the results of a run that never failed.
 * Runs in its own surefire execution, whose JVM has the full-disk file system as its default.
 */
class NothingHalfWrittenTest {
    @TempDir
    Path dir;

    private static final String RUN = """
            name: full
            data: {source: builtin:markov-names, names: 120}
            models:
              - {family: handrolled, name: first, hidden: 8}
              - {family: handrolled, name: second, cell: gru, hidden: 8}
            training: {epochs: 2, batch_size: 8, seq_len: 12, lr: 0.01}
            samples: {count: 2, temperatures: [1.0]}
            """;

    private static final String SWEEP = """
            name: fullsweep
            data: {source: builtin:markov-names, names: 120}
            models:
              - {family: handrolled, name: m, hidden: 8}
            training: {epochs: 1, batch_size: 8, seq_len: 12, lr: 0.01}
            sweep:
              generator: random
              trials: 2
              workers: 1
              seed: 5
              parameters:
                training.lr: {type: continuous, min: 0.003, max: 0.03, log: true}
            """;

    @BeforeAll
    static void onTheFullDiskFileSystem() {
        if (Boolean.getBoolean("seqlab.fullDiskExecution"))
            assertTrue(FullDiskFileSystem.installed(), "the full-disk execution must install FullDiskFileSystem");
        assumeTrue(FullDiskFileSystem.installed(), "runs in surefire's full-disk execution (mvn verify runs it)");
    }

    @Test
    void aRunOnADiskThatFillsUpLeavesEveryFileWholeAndTheSameCommandFinishes() throws Exception {
        Path yaml = Files.writeString(dir.resolve("full.yaml"), RUN);
        Map<String, Double> clean = checkedFaults(List.of("run", yaml.toString()), 8, out -> testLosses(out));
        assertEquals(2, clean.size(), "both models in the reference run: " + clean);
    }

    @Test
    void aSweepOnADiskThatFillsUpLeavesEveryFileWholeAndTheSameCommandFinishes() throws Exception {
        Path yaml = Files.writeString(dir.resolve("sweep.yaml"), SWEEP);
        Map<String, Double> clean = checkedFaults(List.of("sweep", yaml.toString()), 4, NothingHalfWrittenTest::trialLosses);
        assertEquals(2, clean.size(), "two trials in the reference sweep: " + clean);
    }

    /** The same at every single write of a run (about 140 points; a few minutes): mvn verify -Pslow. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aDiskThatFillsUpAtAnyWriteOfARunLeavesEveryFileWhole() throws Exception {
        Path yaml = Files.writeString(dir.resolve("full.yaml"), RUN);
        checkedFaults(List.of("run", yaml.toString()), Integer.MAX_VALUE, out -> testLosses(out));
    }

    private interface Outcome {
        Map<String, Double> of(Path out) throws Exception;
    }

    /**
     * Runs {@code command} once with room (counting its writes), then once per chosen write with the
     * disk full from that write on, checks what is left, and re-runs it with room: its outcome must
     * equal the reference's. Returns the reference outcome.
     */
    private Map<String, Double> checkedFaults(List<String> command, int points, Outcome outcome) throws Exception {
        Path ref = dir.resolve("reference");
        assertEquals(0, cli(command, dir.resolve("warm-up")).code(), "a first run in this JVM (its one-time writes, e.g. native libraries, are not the command's)");
        FullDiskFileSystem.reset();
        CliRun first = cli(command, ref);
        long writes = FullDiskFileSystem.writes();
        assertEquals(0, first.code(), first.err() + first.out());
        assertTrue(writes > 20, "a run writes many times: " + writes);
        Map<String, Double> expected = outcome.of(ref);

        // the number of write calls varies by one or two between runs (a report's length decides how many
        // buffers it takes), so the last point is two writes before the end
        TreeSet<Long> at = new TreeSet<>(List.of(1L, 2L, 3L, 4L, writes - 2));   // the first: the folder and its lock
        for (long i = 1; i < Math.min(points, writes); i++) at.add(1 + (writes - 1) * i / Math.min(points, writes));
        at.removeIf(n -> n > writes - 2);
        for (long n : at) {
            Path out = dir.resolve("full-at-" + n);
            FullDiskFileSystem.fullAfter(n);
            CliRun failed;
            List<String> refused;
            try {
                failed = cli(command, out);
            } finally {
                refused = FullDiskFileSystem.refused();
                FullDiskFileSystem.reset();
            }
            String where = "disk full from write " + n + " of " + writes + " (refused: " + refused + "): ";
            assertFalse(refused.isEmpty(), where + "the disk filled up during the command");
            assertEquals(2, failed.code(), where + failed.err() + failed.out());
            assertEquals(1, failed.err().lines().count(), where + "one line: " + failed.err());
            assertTrue(failed.err().startsWith("seqlab: error: cannot write") && failed.err().contains("No space left on device")
                    && failed.err().contains(out.toString()) && failed.err().contains("Free some space"),
                    where + "names the file and what to do: " + failed.err());
            everyFileIsWhole(out, where);

            CliRun again = cli(command, out);
            assertEquals(0, again.code(), where + "the same command with room: " + again.err() + again.out());
            everyFileIsWhole(out, where + "after the re-run: ");
            try (Stream<Path> s = Files.walk(out)) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".old")).toList(), where + "the re-run tidies up");
            }
            assertEquals(expected, outcome.of(out), where + "the re-run's results equal a run that never failed");
        }
        return expected;
    }

    private static CliRun cli(List<String> command, Path out) {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("--out", out.toString()));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** No temporary or staging files; every JSON file and JSON line parses; pictures decode; checkpoints load. */
    private static void everyFileIsWhole(Path out, String where) throws IOException {
        if (!Files.exists(out)) return;
        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            assertFalse(name.endsWith(".tmp") || name.contains(".staging"), where + "left behind: " + f);
            if (name.endsWith(".old"))   // a directory swap cut between its renames: the old one, where readers look next
                assertTrue(Files.isDirectory(f) && !Files.exists(f.resolveSibling(name.substring(0, name.length() - 4)))
                        && org.seqlab.core.AtomicFiles.resolveDirectory(f.resolveSibling(name.substring(0, name.length() - 4))).equals(f),
                        where + "an old copy beside its directory: " + f);
            if (!Files.isRegularFile(f)) continue;
            if (name.endsWith(".json")) assertNotNull(Json.MAPPER.readTree(f.toFile()), where + f);
            if (name.endsWith(".jsonl"))
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) assertNotNull(Json.MAPPER.readTree(line), where + f + ": " + line);
            if (name.endsWith(".png")) assertNotNull(javax.imageio.ImageIO.read(f.toFile()), where + "a picture that decodes: " + f);
            if (name.endsWith(".html")) assertTrue(Files.readString(f).strip().endsWith("</html>"), where + "a whole page: " + f);
            if (name.equals("best.yaml")) assertTrue(ConfigLoader.load(f, List.of()).config() != null, where + f);
            if (name.equals(org.seqlab.core.train.Checkpoint.INFO_FILE))
                org.seqlab.core.train.Checkpoint.load(f.getParent(), Families::get).close();
        }
        if (Files.exists(out.resolve("results.json"))) {
            JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
            for (JsonNode run : r.get("runs"))
                if (run.hasNonNull("checkpoint"))
                    assertTrue(Files.exists(out.resolve(run.get("checkpoint").asText()).resolve("checkpoint.json")), where + "results name a checkpoint that exists: " + run);
        }
    }

    private static Map<String, Double> testLosses(Path out) throws IOException {
        Map<String, Double> m = new TreeMap<>();
        for (JsonNode run : Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs"))
            m.put(run.get("model").asText(), run.get("metrics").get("test_loss").asDouble());
        return m;
    }

    private static Map<String, Double> trialLosses(Path out) throws IOException {
        Map<String, Double> m = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("trials.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode t = Json.MAPPER.readTree(line);
            assertTrue(m.put("trial-" + t.get("trial").asInt(), t.get("metric").asDouble()) == null, "one line per trial: " + line);
        }
        return m;
    }
}
