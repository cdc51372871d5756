package org.seqlab.experiments;

import org.seqlab.core.Results;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;
import org.seqlab.core.Sha256;
import org.seqlab.core.UserException;
import org.seqlab.core.train.TrainingListener;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.data.registry.DatasetCache;
import org.seqlab.data.registry.Downloader;
import org.seqlab.data.registry.Registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data sources end to end: registry names through the cache (no network: files are placed in a
 * temporary cache, or the command must refuse before downloading), word-level runs and samples,
 * the synthetic copy task's optimum, and what provenance records.
 */
class DataSourcesTest {
    @TempDir
    Path dir;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private List<String> listing(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void datasetsCommandsListRefuseAndVerifyWithoutTheNetwork() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        CliRun list = cli("datasets", "list", "--cache", cache.toString());
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.matches("tiny-shakespeare +text +1,115,394 +no +Shakespeare.*")), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.matches("airline-passengers +csv \\(Month, Passengers\\) +2,180 +no .*")), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.matches("nottingham +pianoroll +unknown +no .*")), list.out());

        CliRun unverified = cli("datasets", "fetch", "nottingham", "--cache", cache.toString());
        assertEquals(2, unverified.code());
        assertTrue(unverified.err().startsWith("seqlab: error: dataset nottingham has no known SHA-256")
                && unverified.err().contains("--trust-unverified"), unverified.err());
        CliRun offline = cli("datasets", "fetch", "tiny-shakespeare", "--offline", "--cache", cache.toString());
        assertEquals(2, offline.code());
        assertEquals(1, offline.err().lines().count(), offline.err());
        assertTrue(offline.err().contains("download https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt")
                && offline.err().contains("save it as " + cache.resolve("tiny-shakespeare.txt").toAbsolutePath()), offline.err());
        CliRun unknown = cli("datasets", "fetch", "shakespeare", "--cache", cache.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("no dataset 'shakespeare' in the registry (known: tiny-shakespeare, dinosaurus"), unknown.err());
        assertTrue(listing(cache).isEmpty(), "nothing was written");

        Files.writeString(cache.resolve("dinosaurus.txt"), "Not\nthe\ncourse's\nfile\n");
        CliRun verify = cli("datasets", "verify", "--cache", cache.toString());
        assertEquals(2, verify.code());
        assertTrue(verify.out().contains("dinosaurus: MISMATCH"), verify.out());
        assertTrue(verify.err().contains("`seqlab datasets fetch dinosaurus` replaces them"), verify.err());
        Path dinos = Path.of("..", "..", "shared", "datasets", "dinos.txt");
        if (Files.isRegularFile(dinos)) {
            Files.copy(dinos, cache.resolve("dinosaurus.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            CliRun ok = cli("datasets", "verify", "dinosaurus", "--cache", cache.toString());
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().startsWith("dinosaurus: ok (sha256 0704eb65"), ok.out());
        }
    }

    private static final String TOY_TEXT = """
            ROMEO:
            But, soft! what light through yonder window breaks?
            It is the east, and Juliet is the sun.

            JULIET:
            O Romeo, Romeo! wherefore art thou Romeo?
            Deny thy father and refuse thy name.
            """.repeat(12);

    private Catalogue toyCatalogue(Path cache, boolean offline) {
        String registry = """
                datasets:
                  toy-play:
                    description: a few lines of a play
                    format: text
                    file: toy-play.txt
                    sha256: %s
                    licence: public domain
                    urls: [http://127.0.0.1:9/toy-play.txt]
                """.formatted(Sha256.of(TOY_TEXT));
        return new Catalogue(Registry.parse(registry, "test registry"), new DatasetCache(cache, offline, Downloader.defaults()));
    }

    private static final ExperimentRunner.Console QUIET = new ExperimentRunner.Console() {
        final List<String> lines = new ArrayList<>();
        @Override public void info(String line) { lines.add(line); }
        @Override public TrainingListener listener() { return new TrainingListener() {}; }
    };

    @Test
    void aRegistryNameRunsFromTheCacheWithWordTokensAndRecordsItsProvenance() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path yaml = Files.writeString(dir.resolve("words.yaml"), """
                name: words
                data:
                  source: toy-play
                  tokenizer: word
                  max_vocab: 30
                  unknown: unk
                  split: [0.8, 0.1, 0.1]
                models:
                  - {family: handrolled, name: rnn, hidden: 16}
                training: {epochs: 2, batch_size: 4, seq_len: 8, lr: 0.01}
                samples: {count: 2, max_length: 12, temperatures: [1.0], top_p: 1.0}
                """);
        ConfigLoader.Loaded loaded = ConfigLoader.load(yaml, List.of());
        Path out = dir.resolve("out");
        UserException offline = assertThrows(UserException.class,
                () -> new ExperimentRunner(loaded, out, QUIET, false, "test", toyCatalogue(cache, true)).run());
        assertTrue(offline.getMessage().startsWith(yaml + ":3:3: data.source: dataset toy-play is not in the cache and seqlab is offline")
                && offline.getMessage().contains("save it as " + cache.resolve("toy-play.txt").toAbsolutePath()), offline.getMessage());
        assertFalse(Files.exists(out), "nothing is written for missing data");

        Files.writeString(cache.resolve("toy-play.txt"), TOY_TEXT);          // placed by hand, as the message says
        Results r = new ExperimentRunner(loaded, out, QUIET, false, "test", toyCatalogue(cache, true)).run();
        assertEquals("toy-play", r.dataset().registry());
        assertEquals("toy-play", r.dataset().name());
        assertEquals(Sha256.of(TOY_TEXT), r.dataset().sha256(), "the registry hash of the file");
        assertEquals("word", r.dataset().tokenizer());
        assertEquals(30, r.dataset().vocabularySize());
        assertEquals("contiguous", r.dataset().split().method(), "the registry says text: stream mode, cut in order");
        String sample = r.runs().get(0).samples().get(0).texts().get(0);
        assertTrue(sample.contains(" ") && !sample.contains(" ,") && !sample.contains(" ."), "running text: " + sample);

        JsonNode prov = Json.MAPPER.readTree(out.resolve("provenance.json").toFile()).get("dataset");
        assertEquals("toy-play", prov.get("registry").asText());
        assertEquals(Sha256.of(TOY_TEXT), prov.get("sha256").asText());
        assertEquals("word", prov.get("tokenizer").asText());
        assertEquals(30, prov.get("vocabulary_size").asInt());
        assertEquals("contiguous", prov.get("split").get("method").asText());
        assertEquals("[0.8,0.1,0.1]", prov.get("split").get("fractions").toString());
        assertEquals("toy-play", Json.MAPPER.readTree(out.resolve("provenance.json").toFile()).get("config").get("data").get("source").asText(),
                "the config keeps the name it was given");

        // the checkpoint alone samples words, joined as text after the prime
        CliRun s = cli("sample", out.resolve(r.runs().get(0).checkpoint()).toString(), "-n", "2", "--prime", "ROMEO:", "--max-length", "6");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().startsWith("ROMEO:"), s.out());
    }

    @Test
    void aSweepTrainsEveryTrialOnTheCachedRegistryDataset() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Files.writeString(cache.resolve("toy-play.txt"), TOY_TEXT);
        Path yaml = Files.writeString(dir.resolve("sweep.yaml"), """
                name: sweep-words
                data: {source: toy-play, tokenizer: word, max_vocab: 20, unknown: unk}
                models:
                  - {family: handrolled, name: rnn, hidden: 8}
                training: {epochs: 1, batch_size: 4, seq_len: 8, lr: 0.01}
                samples: {count: 1, max_length: 5, temperatures: [1.0], top_p: 1.0}
                sweep:
                  generator: grid
                  trials: 2
                  parameters:
                    models[0].hidden: {type: discrete, values: [4, 8]}
                """);
        Path out = dir.resolve("sweep");
        new org.seqlab.experiments.sweep.SweepRunner(ConfigLoader.load(yaml, List.of()), out, line -> {}, toyCatalogue(cache, true)).run();
        List<String> trials = Files.readAllLines(out.resolve("trials.jsonl")).stream().filter(l -> !l.isBlank()).toList();
        assertEquals(2, trials.size());
        for (String line : trials) {
            JsonNode t = Json.MAPPER.readTree(line);
            assertEquals("ok", t.get("status").asText(), line);
            JsonNode ds = Json.MAPPER.readTree(out.resolve(t.get("out").asText()).resolve("results.json").toFile()).get("dataset");
            assertEquals("toy-play", ds.get("registry").asText());
            assertEquals(20, ds.get("vocabulary_size").asInt());
        }
    }

    @Test
    void theCopyTaskReportsItsExactOptimumAndWordLinesTrainPerExample() throws Exception {
        Path yaml = Files.writeString(dir.resolve("copy.yaml"), """
                name: copy
                data: {source: builtin:copy, alphabet: 4, copy_length: 3, examples: 200}
                models:
                  - {family: handrolled, name: lstm, cell: lstm, hidden: 8}
                training: {epochs: 1, batch_size: 8, batching: examples, lr: 0.01}
                samples: {count: 2, max_length: 10, temperatures: [1.0], top_p: 1.0}
                """);
        CliRun o = cli("run", yaml.toString(), "--out", dir.resolve("copy").toString());
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode r = Json.MAPPER.readTree(dir.resolve("copy/results.json").toFile());
        assertEquals(3 * Math.log(4) / 8, r.get("optimum_loss").asDouble(), 1e-12, "hand count: 3 ln 4 over 8 tokens per line");
        assertEquals(3 * Math.log(4) / 8, r.get("dataset").get("true_model_test_loss").asDouble(), 1e-12);
        assertTrue(o.out().contains(String.format("optimum (entropy rate)   %.4f nats/token", 3 * Math.log(4) / 8)), o.out());

        Path names = Files.writeString(dir.resolve("names.txt"), "Red Fox\nBlue Whale\nRed Panda\nGrey Wolf\nBlue Jay\n".repeat(8));
        Path words = Files.writeString(dir.resolve("words-lines.yaml"), """
                name: wl
                data: {source: %s, tokenizer: word, unknown: unk}
                models:
                  - {family: handrolled, name: rnn, hidden: 8}
                training: {epochs: 1, batch_size: 4, batching: examples, lr: 0.01}
                samples: {count: 2, max_length: 5, temperatures: [1.0], top_p: 1.0}
                """.formatted(names));
        CliRun w = cli("run", words.toString(), "--out", dir.resolve("wl").toString());
        assertEquals(0, w.code(), w.err() + w.out());
        JsonNode wr = Json.MAPPER.readTree(dir.resolve("wl/results.json").toFile());
        assertEquals("word", wr.get("dataset").get("tokenizer").asText());
        assertEquals("examples", wr.get("dataset").get("split").get("method").asText());
        assertEquals(0, wr.get("dataset").get("split").get("seed").asInt());
        for (JsonNode t : wr.get("runs").get(0).get("samples").get(0).get("texts"))
            assertFalse(t.asText().contains("\n"), "a names model stops at the end of the line: " + t);
    }
}
