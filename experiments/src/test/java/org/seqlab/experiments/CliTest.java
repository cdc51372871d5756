package org.seqlab.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the CLI end to end on tiny experiments and checks what a user gets. */
class CliTest {
    @TempDir
    Path dir;

    private static final String TINY = """
            name: tiny
            data:
              source: builtin:markov-names
              names: 300
            models:
              - family: handrolled
                name: rnn-small
                hidden: 24
              - family: handrolled
                name: rnn-smaller
                hidden: 8
            training:
              epochs: 2
              batch_size: 8
              seq_len: 16
              lr: 0.01
            samples:
              count: 3
              temperatures: [0.5, 1.0]
            """;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void runWritesAReportAndResultsThatFollowTheSchema() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY);
        Path out = dir.resolve("out");
        CliRun o = run("run", yaml.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        for (String f : List.of("report.md", "report.html", "results.json", "provenance.json", "samples.txt", "curves-tokens.png"))
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertTrue(Files.readString(out.resolve("report.html")).contains("src=\"data:image/png;base64,"), "self-contained html");

        JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertEquals("tiny", r.get("experiment").asText());
        JsonNode ds = r.get("dataset");
        assertEquals(64, ds.get("sha256").asText().length());
        for (String split : List.of("train", "valid", "test")) assertTrue(ds.get("tokens").get(split).asLong() > 0, split);
        double optimum = r.get("optimum_loss").asDouble();
        assertTrue(optimum > 0.5 && optimum < Math.log(27), "optimum " + optimum);
        assertEquals(2, r.get("runs").size());
        for (JsonNode run : r.get("runs")) {
            assertTrue(run.get("model").isTextual() && run.get("family").asText().equals("handrolled"));
            assertTrue(run.get("params").asLong() > 0);
            assertEquals(1234, run.get("seed").asLong());
            assertEquals("handrolled", run.get("config").get("family").asText());
            JsonNode m = run.get("metrics");
            for (String k : List.of("valid_loss", "valid_perplexity", "valid_accuracy", "test_loss", "test_perplexity",
                    "test_accuracy", "train_tokens_per_s", "train_seconds"))
                assertTrue(m.get(k).isNumber(), k + " in " + m);
            assertEquals(Math.exp(m.get("test_loss").asDouble()), m.get("test_perplexity").asDouble(), 1e-9);
            assertTrue(m.get("test_loss").asDouble() > optimum, "no model beats the entropy rate on average");
            assertTrue(Files.exists(out.resolve(run.get("checkpoint").asText()).resolve("checkpoint.json")));
            JsonNode mem = run.get("memory");
            assertTrue(mem.get("peak_rss_bytes").asLong() > mem.get("peak_off_heap_bytes").asLong()
                    && mem.get("peak_off_heap_bytes").asLong() > 0, "peak memory of the run: " + mem);
        }
        assertTrue(Files.readString(out.resolve("report.md")).contains("| peak memory | off-heap peak |"), "memory in the settings-and-cost table");
        JsonNode prov = Json.MAPPER.readTree(out.resolve("provenance.json").toFile());
        for (String k : List.of("config", "dataset_sha256", "seed", "jvm", "backend", "start_time", "end_time"))
            assertFalse(prov.get(k).isNull(), k);
        assertTrue(o.out().contains("optimum (entropy rate)") && o.out().contains("unigram baseline"), o.out());

        // rerunning resumes: finished models are reused, not retrained
        CliRun again = run("run", yaml.toString(), "--out", out.toString());
        assertEquals(0, again.code());
        assertTrue(again.out().contains("rnn-small (seed 1234): finished in an earlier run"), again.out());

        // the checkpoint alone is enough to sample
        String ckpt = r.get("runs").get(0).get("checkpoint").asText();
        CliRun s = run("sample", out.resolve(ckpt).toString(), "-n", "4", "-t", "0.8");
        assertEquals(0, s.code(), s.err());
        assertEquals(4, s.out().lines().count(), s.out());
    }

    /** A model that needs more memory than the budget stops with one line naming it and the setting, exit 2 (a user error). */
    @Test
    void aRunOverItsMemoryBudgetStopsWithOneClearLine() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY);
        List<String> lines = new java.util.ArrayList<>();
        ExperimentRunner.Console console = new ExperimentRunner.Console() {
            @Override public void info(String line) { lines.add(line); }
            @Override public org.seqlab.core.train.TrainingListener listener() { return org.seqlab.core.train.TrainingListener.SILENT; }
        };
        ExperimentRunner runner = new ExperimentRunner(ConfigLoader.load(yaml, List.of()), dir.resolve("over"), console, true, "test")
                .withBudget(new org.seqlab.core.MemoryBudget(1 << 20, "SEQLAB_MAX_OFFHEAP=1M"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.seqlab.core.MemoryWatch.MemoryBudgetExceeded.class, runner::run);
        assertTrue(e instanceof org.seqlab.core.UserException, "a user error: exit code 2");
        for (String part : List.of("rnn-small needs more memory than allowed", "over the budget of", "SEQLAB_MAX_OFFHEAP=1M",
                "training.batch_size", "run the same command again to resume"))
            assertTrue(e.getMessage().contains(part), part + " in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertFalse(Files.exists(dir.resolve("over").resolve("results.json")), "no results for a run that did not finish");
    }

    @Test
    void exampleBatchingWithGatedCellsDrawsHiddenStates() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY.replace("hidden: 24", "hidden: 24\n    cell: lstm")
                .replace("hidden: 8", "hidden: 8\n    cell: gru\n    layers: 2\n    dropout: 0.1"));
        Path out = dir.resolve("ex");
        CliRun o = run("run", yaml.toString(), "--out", out.toString(), "--set", "training.batching=examples");
        assertEquals(0, o.code(), o.err() + o.out());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("## Settings and cost") && md.contains("| rnn-smaller | handrolled | gru | 8 | 2 | 0.1 |"), md);
        assertTrue(md.contains("![rnn-small hidden states](hidden-rnn-small.png)"), md);
        assertTrue(Files.size(out.resolve("hidden-rnn-smaller.png")) > 1000);
        JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        long predicted = r.get("dataset").get("tokens").get("valid").asLong();
        assertTrue(predicted > 0);
        for (JsonNode run : r.get("runs")) assertEquals(3, run.get("samples").get(0).get("texts").size());
    }

    @Test
    void dl4jLstmRunsThroughTheSameRunnerAndReport() throws Exception {
        Path yaml = Files.writeString(dir.resolve("dl4j.yaml"), TINY.replace("""
                  - family: handrolled
                    name: rnn-smaller
                    hidden: 8
                """, """
                  - family: dl4j-lstm
                    name: deep
                    hidden_sizes: [16, 12]
                    dropout: 0.2
                    input: embedding
                    embedding_size: 8
                    tbptt: 8
                """));
        Path out = dir.resolve("dl4j");
        CliRun o = run("run", yaml.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode deep = Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs").get(1);
        assertEquals("dl4j-lstm", deep.get("family").asText());
        assertEquals("embedding", deep.get("config").get("input").asText());
        assertTrue(deep.get("metrics").get("test_loss").asDouble() < Math.log(27), "learned something: " + deep.get("metrics"));
        CliRun s = run("sample", out.resolve(deep.get("checkpoint").asText()).toString(), "-n", "3");
        assertEquals(0, s.code(), s.err());
        assertEquals(3, s.out().lines().count());
        assertUserError(TINY.replace("hidden: 8", "hidden: 8").replace("family: handrolled\n    name: rnn-smaller",
                "family: dl4j-lstm\n    bidirectional: true\n    name: rnn-smaller"), "models[1].bidirectional: a language model must not see the future");
    }

    @Test
    void transformerTrainsSamplesAndFineTunesFromItsCheckpoint() throws Exception {
        String gpt = TINY.replace("""
                  - family: handrolled
                    name: rnn-smaller
                    hidden: 8
                """, """
                  - family: transformer
                    name: gpt
                    layers: 2
                    heads: 2
                    embedding: 32
                    context: 16
                    dropout: 0.1
                    training: {lr: 0.003}
                """);
        Path yaml = Files.writeString(dir.resolve("gpt.yaml"), gpt);
        Path out = dir.resolve("gpt");
        CliRun o = run("run", yaml.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode runJson = Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs").get(1);
        assertEquals("transformer", runJson.get("family").asText());
        assertEquals(0.003, runJson.get("training").get("lr").asDouble(), "the model's own learning rate was used");
        assertTrue(runJson.get("metrics").get("test_loss").asDouble() < Math.log(27), "learned something: " + runJson.get("metrics"));
        Path ckpt = out.resolve(runJson.get("checkpoint").asText());
        CliRun s = run("sample", ckpt.toString(), "-n", "3");
        assertEquals(0, s.code(), s.err());
        assertEquals(3, s.out().lines().count());

        // fine-tuning: same data, so the vocabulary matches
        String tune = gpt.replace("dropout: 0.1\n", "dropout: 0.1\n    init: {checkpoint: " + ckpt + "}\n");
        Path tuned = dir.resolve("tuned");
        CliRun t = run("run", Files.writeString(dir.resolve("tune.yaml"), tune).toString(), "--out", tuned.toString());
        assertEquals(0, t.code(), t.err() + t.out());
        // other data (another vocabulary) or another family's checkpoint: one clear error each
        Path other = Files.writeString(dir.resolve("other.txt"), "0123456789\n".repeat(300));
        assertUserError(tune.replace("source: builtin:markov-names\n  names: 300", "source: " + other), "init.checkpoint: vocabulary mismatch");
        Path rnnCkpt = out.resolve(Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs").get(0).get("checkpoint").asText());
        assertUserError(gpt.replace("dropout: 0.1\n", "dropout: 0.1\n    init: {checkpoint: " + rnnCkpt + "}\n"),
                "holds a 'handrolled' model, not a 'transformer' one");
        assertUserError(gpt.replace("heads: 2", "heads: 3"), "models[1].heads: must divide embedding (32)");
        assertUserError(gpt.replace("context: 16", "context: 0"), "models[1].context");
    }

    @Test
    void seedsRepeatEveryModelAndReportsCompareEarlierRuns() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY);
        Path a = dir.resolve("seeds");
        CliRun o = run("run", yaml.toString(), "--out", a.toString(), "--set", "seeds=[1, 2, 3]", "--set", "training.budget_tokens=3000", "--set", "training.epochs=50");
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode r = Json.MAPPER.readTree(a.resolve("results.json").toFile());
        assertEquals(6, r.get("runs").size(), "two models x three seeds");
        for (JsonNode run : r.get("runs"))
            assertTrue(run.get("metrics").get("train_tokens").asLong() >= 3000 && run.get("metrics").get("train_tokens").asLong() < 3000 + 8 * 16,
                    "the token budget stops every run at the same point: " + run.get("metrics"));
        String md = Files.readString(a.resolve("report.md"));
        assertTrue(md.contains("### Over seeds") && md.contains("| rnn-small | 3 | "), md);
        assertTrue(md.contains("rnn-small (seed 2)"), md);
        assertTrue(md.matches("(?s).*- rnn-small (is better than|is worse than|and) rnn-smaller.*"), md);

        Path b = dir.resolve("other");
        assertEquals(0, run("run", yaml.toString(), "--out", b.toString(), "--set", "name=other").code());
        Path c = dir.resolve("compare");
        CliRun rep = run("report", a.toString(), b.toString(), "--out", c.toString());
        assertEquals(0, rep.code(), rep.err() + rep.out());
        JsonNode merged = Json.MAPPER.readTree(c.resolve("results.json").toFile());
        assertEquals(8, merged.get("runs").size());
        assertTrue(merged.get("runs").findValuesAsText("model").contains("other/rnn-small"), merged.get("runs").findValuesAsText("model").toString());
        assertTrue(Files.readString(c.resolve("report.md")).contains("other/rnn-smaller"));
        assertEquals(2, run("report", dir.resolve("nothing-here").toString()).code());
    }

    /** A small self-made piano-roll set: repeating arpeggios, so there is something to learn. */
    private Path pianoRollJson() throws Exception {
        StringBuilder sb = new StringBuilder("{");
        String[] splits = {"train", "valid", "test"};
        for (int s = 0; s < 3; s++) {
            sb.append('"').append(splits[s]).append("\": [");
            for (int t = 0; t < (s == 0 ? 12 : 3); t++) {
                sb.append('[');
                int len = 20 + 7 * t;
                for (int f = 0; f < len; f++) {
                    int root = 48 + (f / 4) % 3 * 5;
                    sb.append("[").append(root).append(", ").append(root + 4 + (f % 2) * 3).append("]").append(f < len - 1 ? "," : "");
                }
                sb.append(']').append(t < (s == 0 ? 11 : 2) ? "," : "");
            }
            sb.append(']').append(s < 2 ? "," : "");
        }
        return Files.writeString(dir.resolve("rolls.json"), sb.append('}').toString());
    }

    @Test
    void pianoRollExperimentsReportNllPerFrameAndWriteMidi() throws Exception {
        Path json = pianoRollJson();
        Path yaml = Files.writeString(dir.resolve("music.yaml"), """
                name: music
                data: {source: %s}
                models:
                  - {family: handrolled, name: lstm, cell: lstm, hidden: 24}
                  - {family: dl4j-lstm, name: dl4j, hidden: 16}
                  - {family: transformer, name: gpt, layers: 1, heads: 2, embedding: 32, context: 32, frame_prior: 0.05}
                training: {epochs: 25, batch_size: 4, seq_len: 16, lr: 0.02}
                samples: {count: 2, temperatures: [1.0], max_length: 32}
                """.formatted(json));
        Path out = dir.resolve("music");
        CliRun o = run("run", yaml.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        assertTrue(o.out().contains("nats/frame"), o.out());
        JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertEquals("frame", r.get("dataset").get("unit").asText());
        assertEquals(88, r.get("dataset").get("vocabulary_size").asInt());
        double baseline = r.get("baselines").get("independent keys").get("test_loss").asDouble();
        for (JsonNode run : r.get("runs")) {
            JsonNode m = run.get("metrics");
            assertTrue(m.get("test_loss").asDouble() < baseline, run.get("model") + " beats independent keys: " + m + " vs " + baseline);
            for (JsonNode f : run.get("samples").get(0).get("texts")) {
                javax.sound.midi.Sequence seq = javax.sound.midi.MidiSystem.getSequence(out.resolve(f.asText()).toFile());
                assertTrue(seq.getTracks()[0].size() > 3, "generated MIDI has notes: " + f);
            }
            JsonNode audio = run.get("samples").get(0).get("audio");
            assertEquals(run.get("samples").get(0).get("texts").size(), audio.size(), "every MIDI sample rendered: " + run.get("samples"));
            for (JsonNode w : audio) assertTrue(Files.size(out.resolve(w.asText())) > 44_100, "a WAV of its sample: " + w);
            double expected = m.get("test_expected_accuracy").asDouble();
            assertTrue(expected > 0 && expected < 1 && expected != m.get("test_accuracy").asDouble(), "expected and thresholded accuracy: " + m);
            assertTrue(Files.size(out.resolve(run.get("picture").asText())) > 1000);
        }
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("negative log-likelihood per frame") && md.contains("## Generated music") && md.contains(".mid)"), md);
        assertTrue(md.contains("| model | family | cell | hidden | layers | dropout | heads | embedding | context | positions | params |")
                && md.contains("| gpt | transformer | — | — | 1 | 0.0 | 2 | 32 | 32 | learned |"), "each family's own settings as columns: " + md);
        assertUserError(Files.readString(yaml), "training.batching: piano rolls take windows", "--set", "training.batching=sequential");
        assertTrue(md.contains("<audio controls preload=\"none\" src=\"samples/lstm-t1.0-1.wav\"></audio>"), md);

        CliRun moved = run("run", yaml.toString(), "--out", dir.resolve("moved").toString(), "--set", "data.augment={transpose: 4}",
                "--set", "training.epochs=2", "--set", "models=[{family: handrolled, name: lstm, cell: lstm, hidden: 24}]");
        assertEquals(0, moved.code(), moved.err());
        // whole tunes, one per row: trains, is scored like the rest, and the report says what a sequence was
        Path whole = dir.resolve("whole");
        CliRun tunes = run("run", yaml.toString(), "--out", whole.toString(), "--set", "training.batching=examples", "--set", "samples.count=0");
        assertEquals(0, tunes.code(), tunes.err());
        for (JsonNode run : Json.MAPPER.readTree(whole.resolve("results.json").toFile()).get("runs"))     // tunes of 20-97 frames: longer than the transformer's context
            assertTrue(run.get("metrics").get("test_loss").asDouble() < baseline, "whole tunes train: " + run.get("model") + " " + run.get("metrics"));
        assertTrue(Files.readString(whole.resolve("report.md")).contains("| one example |"), "the report's seq len column");
        // a key another kind of data reads is refused, naming where it was set, never ignored
        assertUserError(TINY, "data.augment: does not apply to builtin:markov-names", "--set", "data.augment={transpose: 3}");
        assertUserError(Files.readString(yaml), "data.max_vocab: does not apply to a piano-roll dataset", "--set", "data.max_vocab=10");
        assertUserError(TINY, "data.copy_length: does not apply to builtin:markov-names", "--set", "data.copy_length=5");
        assertUserError(TINY.replace("  names: 300\n", "  names: 300\n  encoding: melody\n"), "bad.yaml:5:3: data.encoding: does not apply to builtin:markov-names");
    }

    /** A bidirectional network cannot generate: the runner says so before training, then trains and scores it without samples. */
    /**
     * lr 1e6 blows both models up from the first steps, so their own best loss is already huge:
     * the absolute ceiling (twice ln V) must mark them diverged, keep no checkpoint, and the
     * command must fail, since no model trained.
     */
    @Test
    void aRunWhereEveryModelBlowsUpIsDivergedAndFails() throws Exception {
        Path yaml = Files.writeString(dir.resolve("boom.yaml"), TINY.replace("lr: 0.01", "lr: 1000000"));
        Path out = dir.resolve("boom");
        CliRun o = run("run", yaml.toString(), "--out", out.toString());
        assertEquals(1, o.code(), o.err() + o.out());
        assertTrue(o.err().contains("no model trained successfully (rnn-small: diverged, rnn-smaller: diverged)"), o.err());
        for (JsonNode run : Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs")) {
            assertEquals("diverged", run.get("status").asText(), run.toString());
            assertTrue(run.get("message").asText().startsWith("diverged "), run.toString());
            assertTrue(run.get("metrics").isNull(), "no metrics from a model that never learned: " + run);
        }
    }

    /** Every command and subcommand answers --help with its usage and exit 0 (required arguments or not). */
    @Test
    void everyCommandHasHelp() {
        List<List<String>> paths = new java.util.ArrayList<>();
        collect(new picocli.CommandLine(new org.seqlab.experiments.cli.Main()), new java.util.ArrayList<>(), paths);
        assertTrue(paths.size() > 10, paths.toString());
        for (List<String> path : paths) {
            List<String> args = new java.util.ArrayList<>(path);
            args.add("--help");
            CliRun o = run(args.toArray(String[]::new));
            assertEquals(0, o.code(), path + ": " + o.err() + o.out());
            assertTrue(o.out().contains("Usage: seqlab" + (path.isEmpty() ? "" : " " + String.join(" ", path))), path + ": " + o.out());
        }
    }

    private static void collect(picocli.CommandLine c, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        for (var e : c.getSubcommands().entrySet()) {
            path.add(e.getKey());
            collect(e.getValue(), path, out);
            path.remove(path.size() - 1);
        }
    }

    /**
     * A re-run with another configuration forgets the old results before training (a kill -9 then
     * leaves no report of other models); a re-run of the same one keeps them until it rewrites them.
     */
    @Test
    void aRerunWithAnotherConfigurationRemovesTheOldReportBeforeTraining() throws Exception {
        Path out = dir.resolve("rerun");
        Path yaml = Files.writeString(dir.resolve("rerun.yaml"), TINY);
        assertEquals(0, run("run", yaml.toString(), "--out", out.toString()).code());
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        ExperimentRunner.Console probe = new ExperimentRunner.Console() {
            @Override public void info(String line) {}
            @Override public org.seqlab.core.train.TrainingListener listener() {
                return new org.seqlab.core.train.TrainingListener() {
                    @Override public void onStep(long step, double loss, double lr) {
                        if (step == 1 && seen.get() == null)
                            seen.set(Files.exists(out.resolve("results.json")) + " " + Files.exists(out.resolve("report.html")));
                    }
                };
            }
        };
        ConfigLoader.Loaded same = ConfigLoader.load(yaml, List.of());
        new ExperimentRunner(same, out, probe, true, "test").run();
        assertEquals("true true", seen.get(), "the same configuration keeps its results while it reruns");
        seen.set(null);
        ConfigLoader.Loaded other = ConfigLoader.load(yaml, List.of("training.lr=0.02"));
        new ExperimentRunner(other, out, probe, false, "test").run();
        assertEquals("false false", seen.get(), "another configuration's results are gone before training starts");
        assertTrue(Files.exists(out.resolve("results.json")), "and written again at the end");
    }

    /** A handful of readable MIDI files split 80/10/10 leaves a split empty: one clear error before training, for every encoding. */
    @Test
    void anEmptySplitIsAnInputErrorBeforeTraining() throws Exception {
        Path midi = Files.createDirectories(dir.resolve("few"));
        for (int song = 0; song < 4; song++) {
            List<org.seqlab.data.music.Note> notes = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) notes.add(new org.seqlab.data.music.Note(60 + (i + song) % 12, i * 0.25, i * 0.25 + 0.25, 80));
            Files.write(midi.resolve("song" + song + ".mid"), org.seqlab.data.music.MidiWriter.write(notes, 1));
        }
        for (String encoding : List.of("events", "pianoroll")) {
            String yaml = """
                    name: few
                    data: {source: %s, format: midi, encoding: %s, split: [0.8, 0.1, 0.1]}
                    models:
                      - {family: handrolled, name: lstm, cell: lstm, hidden: 8}
                    training: {epochs: 1, batch_size: 2, seq_len: 16, lr: 0.01}
                    """.formatted(midi, encoding);
            Path out = dir.resolve("few-" + encoding);
            Path f = Files.writeString(dir.resolve("few-" + encoding + ".yaml"), yaml);
            CliRun o = run("run", f.toString(), "--out", out.toString());
            assertEquals(2, o.code(), encoding + ": " + o.err() + o.out());
            assertTrue(o.err().contains("split of") && o.err().contains("is empty"), encoding + ": " + o.err());
            assertEquals(1, o.err().lines().count(), o.err());
            assertTrue(Files.notExists(out.resolve("results.json")), "nothing trained or written");
        }
    }

    /** {@code seqlab render}: a MIDI file becomes a WAV file beside it (or at --out); a file that is not MIDI is one line, exit 2. */
    @Test
    void renderTurnsAMidiFileIntoAWavAndNamesABadOne() throws Exception {
        Path mid = Files.write(dir.resolve("a4.mid"), org.seqlab.data.music.MidiWriter.write(
                List.of(new org.seqlab.data.music.Note(69, 0.0, 0.5, 100)), 1));
        CliRun ok = run("render", mid.toString());
        assertEquals(0, ok.code(), ok.err());
        Path wav = dir.resolve("a4.wav");
        try (var in = javax.sound.sampled.AudioSystem.getAudioInputStream(wav.toFile())) {
            assertEquals(1.5, in.getFrameLength() / in.getFormat().getFrameRate(), 0.05, "half a second and the tail");
        }
        assertTrue(ok.out().contains(wav + ": 1.5 s of audio"), ok.out());
        Path other = dir.resolve("x/other.wav");
        Files.createDirectories(other.getParent());
        assertEquals(0, run("render", mid.toString(), "--out", other.toString()).code());
        assertTrue(Files.size(other) > 44);
        Path bad = Files.writeString(dir.resolve("bad.mid"), "not a midi file");
        CliRun refused = run("render", bad.toString());
        assertEquals(2, refused.code());
        assertEquals(bad + ": not a MIDI file", refused.err().trim().replaceFirst("^seqlab: error: ", "").replaceFirst(":[^:]*$", ""), refused.err());
        assertEquals(2, run("render", dir.resolve("missing.mid").toString()).code());
    }

    /** Bad sample arguments and damaged checkpoints are one line each, exit 2: never a stack trace or "internal error". */
    @Test
    void sampleNamesBadArgumentsAndDamagedCheckpoints() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY);
        Path out = dir.resolve("sampled");
        assertEquals(0, run("run", yaml.toString(), "--out", out.toString()).code());
        Path ckpt = out.resolve("checkpoints/rnn-small-seed1234");
        assertEquals(0, run("sample", ckpt.toString(), "-n", "2").code());
        for (String[] bad : List.of(new String[]{"-n", "-3", "--count: must be >= 0"}, new String[]{"--max-length", "0", "--max-length: must be >= 1"},
                new String[]{"-t", "0", "--temperature: must be > 0"}, new String[]{"--top-k", "-1", "--top-k: must be >= 0"})) {
            CliRun o = run("sample", ckpt.toString(), bad[0], bad[1]);
            assertEquals(2, o.code(), String.join(" ", bad) + ": " + o.err());
            assertTrue(o.err().startsWith("seqlab: error: " + bad[2]), o.err());
        }
        Path damaged = dir.resolve("damaged");
        try (var files = Files.walk(ckpt)) {
            for (Path p : files.toList()) Files.copy(p, damaged.resolve(ckpt.relativize(p).toString()));
        }
        Path params = damaged.resolve("model/params.bin");
        byte[] whole = Files.readAllBytes(params);
        Files.write(params, java.util.Arrays.copyOf(whole, whole.length / 3));       // cut short, as by a full disk
        CliRun cut = run("sample", damaged.toString(), "-n", "1");
        assertEquals(2, cut.code(), cut.err());
        assertTrue(cut.err().contains("damaged or cut short") && cut.err().lines().count() == 1, cut.err());
        Files.writeString(damaged.resolve("checkpoint.json"), "{\"family\": ");
        CliRun info = run("sample", damaged.toString(), "-n", "1");
        assertEquals(2, info.code(), info.err());
        assertTrue(info.err().contains("checkpoint.json: unreadable checkpoint info") && info.err().lines().count() == 1, info.err());
    }

    /** Output paths that cannot be written, a full disk and a binary "YAML" are one line each, exit 2. */
    @Test
    void fileSystemProblemsNameThePathAndWhatToDo() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY);
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliRun onFile = run("run", yaml.toString(), "--out", file.toString());
        assertEquals(2, onFile.code(), onFile.err());
        assertEquals("seqlab: error: cannot write " + file + ": exists and is not a directory (choose another --out, or fix the path or its permissions)",
                onFile.err().strip());
        CliRun under = run("run", yaml.toString(), "--out", file.resolve("sub").toString());
        assertEquals(2, under.code(), under.err());
        assertTrue(under.err().startsWith("seqlab: error: cannot write " + file.resolve("sub")), under.err());

        Path binary = Files.write(dir.resolve("binary.yaml"), new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3, 0x28});
        CliRun bin = run("run", binary.toString());
        assertEquals(2, bin.code(), bin.err());
        assertTrue(bin.err().contains("not UTF-8 text"), bin.err());

        // a full disk, as the file system reports it, through the wrappers it arrives in
        Throwable full = new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
        String line = FileProblem.describe(new RuntimeException("checkpoint", full));
        assertTrue(line.startsWith("cannot write: No space left on device. Free some space"), line);
        assertEquals(null, FileProblem.describe(new IllegalStateException("a bug")));
    }

    /** YAML past the parser's limits (size, aliases multiplying, an alias inside itself) is one line, exit 2, before anything runs. */
    @Test
    void yamlBeyondTheParsersLimitsIsOneLineEach() throws Exception {
        assertUserError(TINY + "# padding\n".repeat(400_000), "MB is too large for an experiment file (at most 3 MB of YAML)");

        StringBuilder laughs = new StringBuilder(TINY).append("laughs:\n  l0: &l0 [ha, ha, ha, ha, ha, ha, ha, ha, ha]\n");
        for (int level = 1; level <= 5; level++)
            laughs.append("  l").append(level).append(": &l").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, "*l" + (level - 1)))).append("]\n");
        assertUserError(laughs.toString(), "expands to more than 100000 values once its aliases (*name) are followed");

        StringBuilder many = new StringBuilder(TINY).append("many:\n  base: &b [1]\n  all: [");
        many.append(String.join(", ", java.util.Collections.nCopies(60, "*b"))).append("]\n");
        assertUserError(many.toString(), "not accepted as an experiment: Number of aliases for non-scalar nodes exceeds the specified max=50");

        assertUserError(TINY + "loop: &loop [1, *loop]\n", "an alias (*name) refers to a mapping or list that contains it");
    }

    /** training.eval_every puts validation points inside epochs: the curve in results.json has them, at multiples of N steps. */
    @Test
    void evalEveryAddsLearningCurvePointsInsideEpochs() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY);
        Path out = dir.resolve("every");
        CliRun o = run("run", yaml.toString(), "--out", out.toString(), "--set", "training.eval_every=3");
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode curve = Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs").get(0).get("curve");
        List<Long> steps = new java.util.ArrayList<>();
        for (JsonNode p : curve) steps.add(p.get("step").asLong());
        long perEpoch = curve.get(curve.size() - 1).get("step").asLong() / 2;          // two epochs
        assertTrue(perEpoch > 3, "an epoch longer than the interval: " + steps);
        for (long s = 3; s < 2 * perEpoch; s += 3) assertTrue(steps.contains(s), "a point at step " + s + ": " + steps);
        assertTrue(steps.contains(perEpoch) && steps.contains(2 * perEpoch), "and at each epoch's end: " + steps);
        assertEquals(steps.stream().distinct().sorted().toList(), steps, "in order, none twice");
    }

    /** The report is a function of results.json alone: without provenance.json, `seqlab report` rebuilds the same report. */
    @Test
    void aReportIsRebuiltFromResultsJsonAlone() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY.replace("name: tiny", "name: tiny\ndescription: Two small RNNs on Markov names."));
        Path out = dir.resolve("alone");
        assertEquals(0, run("run", yaml.toString(), "--out", out.toString()).code());
        String original = Files.readString(out.resolve("report.md"));
        assertTrue(original.contains("Two small RNNs on Markov names.") && original.contains("2 epochs, batch 8 × 16 steps")
                && original.contains("- JVM: "), original);
        for (String f : List.of("provenance.json", "report.md", "report.html", "curves-tokens.png")) Files.delete(out.resolve(f));
        CliRun again = run("report", out.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(original, Files.readString(out.resolve("report.md")), "the same report, from results.json alone");
        assertTrue(Files.size(out.resolve("curves-tokens.png")) > 0 && Files.readString(out.resolve("report.html")).contains("data:image/png;base64,"));
    }

    /**
     * Published figures: rows of an experiment's own results table (with their sources), and in a
     * comparison of several experiments (e.g. the polyphonic benchmarks) a table of test loss per
     * model and experiment beside them; a figure without a source is an input error.
     */
    @Test
    void publishedFiguresStandBesideTheResultsAndAcrossExperiments() throws Exception {
        String base = TINY.replace("  - family: handrolled\n    name: rnn-smaller\n    hidden: 8\n", "").replace("epochs: 2", "epochs: 1");
        Path a = dir.resolve("pa"), b = dir.resolve("pb");
        Path ya = Files.writeString(dir.resolve("pa.yaml"), base.replace("name: tiny", "name: names-a") + """
                published:
                  - {model: "LSTM (Doe 2020)", test_loss: 1.25, source: "Doe et al. (2020), table 2"}
                """);
        Path yb = Files.writeString(dir.resolve("pb.yaml"), base.replace("name: tiny", "name: names-b").replace("names: 300", "names: 200") + """
                published:
                  - {model: "LSTM (Doe 2020)", test_loss: 1.5, source: "Doe et al. (2020), table 3"}
                  - {model: "TCN (Roe 2021)", test_loss: 1.4, source: "Roe (2021)"}
                """);
        assertEquals(0, run("run", ya.toString(), "--out", a.toString()).code());
        assertEquals(0, run("run", yb.toString(), "--out", b.toString()).code());
        String own = Files.readString(a.resolve("report.md"));
        assertTrue(own.contains("| *LSTM (Doe 2020)* (published) | — | — | — | — | — | 1.2500 |") && own.contains("Doe et al. (2020), table 2"), own);

        Path both = dir.resolve("both");
        CliRun r = run("report", a.toString(), b.toString(), "--out", both.toString());
        assertEquals(0, r.code(), r.err());
        String md = Files.readString(both.resolve("report.md"));
        double la = Json.MAPPER.readTree(a.resolve("results.json").toFile()).get("runs").get(0).get("metrics").get("test_loss").asDouble();
        double lb = Json.MAPPER.readTree(b.resolve("results.json").toFile()).get("runs").get(0).get("metrics").get("test_loss").asDouble();
        assertTrue(md.contains("| model | names-a | names-b |"), md);
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "| **rnn-small** | %.4f | %.4f |", la, lb)), md);
        assertTrue(md.contains("| *LSTM (Doe 2020)* (published) | 1.2500 | 1.5000 |") && md.contains("| *TCN (Roe 2021)* (published) | — | 1.4000 |"), md);
        assertTrue(md.contains("- names-b, TCN (Roe 2021): Roe (2021)"), md);
        assertFalse(md.contains("(published) | — | — | — | — | —"), "no published rows in the mixed results table: " + md);

        Path unsourced = Files.writeString(dir.resolve("nosource.yaml"), base + "published:\n  - {model: LSTM, test_loss: 1.2}\n");
        CliRun bad = run("run", unsourced.toString(), "--out", dir.resolve("nosource").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("published[0].source") && bad.err().contains("cite where the figure is published"), bad.err());
    }

    /** A model far larger than the machine (hidden 300000: 360 GB of recurrent weights) is one line, exit 2, not "internal error". */
    @Test
    void aModelTooLargeForTheMachineIsOneClearError() throws Exception {
        Path yaml = Files.writeString(dir.resolve("huge.yaml"), TINY);
        CliRun o = run("run", yaml.toString(), "--out", dir.resolve("huge").toString(), "--set", "models[0].hidden=300000");
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().contains("rnn-small is too large to allocate") || o.err().contains("rnn-small ran out of memory"), o.err());
    }

    /** Two commands on one output directory: the second stops at once and says who holds it; once free, it runs. */
    @Test
    void anOutputDirectoryInUseIsRefusedWithItsHolder() throws Exception {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), TINY);
        Path out = dir.resolve("busy");
        try (DirectoryLock held = DirectoryLock.acquire(out, "seqlab run other.yaml")) {
            CliRun o = run("run", yaml.toString(), "--out", out.toString());
            assertEquals(2, o.code(), o.err());
            assertTrue(o.err().contains(out + " is in use by another seqlab command (pid " + ProcessHandle.current().pid()), o.err());
            assertTrue(o.err().contains(": seqlab run other.yaml); wait for it to finish, or write elsewhere with --out"), o.err());
            assertTrue(Files.notExists(out.resolve("results.json")));
        }
        assertEquals(0, run("run", yaml.toString(), "--out", out.toString()).code(), "free again once the holder is done");
    }

    @Test
    void nonFiniteSettingsAreInputErrors() throws Exception {
        assertUserError(TINY.replace("lr: 0.01", "lr: .inf"), "training.lr: must be a finite number > 0, got Infinity");
        assertUserError(TINY.replace("lr: 0.01", "lr: .nan"), "training.lr: must be a finite number > 0, got NaN");
    }

    @Test
    void aModelThatCannotGenerateIsTrainedAndScoredWithoutSamples() throws Exception {
        Path json = pianoRollJson();
        Path yaml = Files.writeString(dir.resolve("bi.yaml"), """
                name: bi
                data: {source: %s}
                models:
                  - {family: dl4j-lstm, name: bi, hidden: 8, bidirectional: true}
                training: {epochs: 2, batch_size: 4, seq_len: 16, lr: 0.02}
                samples: {count: 2, temperatures: [1.0], max_length: 16}
                """.formatted(json));
        Path out = dir.resolve("bi");
        CliRun o = run("run", yaml.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        assertTrue(o.out().indexOf("bi: cannot generate") < o.out().indexOf("bi: dl4j-lstm,"), o.out());
        JsonNode run = Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
        assertEquals("ok", run.get("status").asText());
        assertTrue(run.get("metrics").get("test_loss").asDouble() > 0);
        assertEquals(0, run.get("samples").size(), "no samples from a model that cannot generate");
        assertTrue(!o.out().contains("perplexity"), "a frame's loss is a sum over keys: no perplexity is printed\n" + o.out());
    }

    @Test
    void aPerplexityIsPrintedOnlyForTokensAndOnlyWhenFinite() {
        assertEquals("perplexity 2.000, ", ExperimentRunner.perplexity(org.seqlab.core.OutputKind.TOKENS, 2.0));
        assertEquals("", ExperimentRunner.perplexity(org.seqlab.core.OutputKind.TOKENS, Double.POSITIVE_INFINITY));
        assertEquals("", ExperimentRunner.perplexity(org.seqlab.core.OutputKind.FRAMES, 30.0));
    }

    @Test
    void midiDirectoriesTrainWithEveryEncodingAndSkipBrokenFiles() throws Exception {
        Path midi = Files.createDirectories(dir.resolve("midi/sub"));
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int song = 0; song < 6; song++) {
            List<org.seqlab.data.music.Note> notes = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int pitch = 60 + new int[]{0, 4, 7, 12}[(i + song) % 4];
                notes.add(new org.seqlab.data.music.Note(pitch, i * 0.25, i * 0.25 + 0.25, 60 + r.nextInt(40)));
                if (i % 4 == 0) notes.add(new org.seqlab.data.music.Note(48, i * 0.25, i * 0.25 + 1.0, 70));
            }
            Files.write((song % 2 == 0 ? midi : midi.getParent()).resolve("song" + song + ".mid"),
                    org.seqlab.data.music.MidiWriter.write(notes, 1));
        }
        Files.write(midi.resolve("broken.mid"), new byte[]{'M', 'T', 'h', 'd', 0, 0});
        for (String encoding : List.of("events", "melody", "pianoroll")) {
            Path yaml = Files.writeString(dir.resolve(encoding + ".yaml"), """
                    name: %s
                    data: {source: %s, format: midi, encoding: %s, split: [0.5, 0.25, 0.25]}
                    models:
                      - {family: handrolled, name: lstm, cell: lstm, hidden: 16}
                    training: {epochs: 2, batch_size: 4, seq_len: 16, lr: 0.01}
                    samples: {count: 1, temperatures: [1.0], max_length: 40}
                    """.formatted(encoding, midi.getParent(), encoding));
            Path out = dir.resolve("out-" + encoding);
            CliRun o = run("run", yaml.toString(), "--out", out.toString());
            assertEquals(0, o.code(), encoding + ": " + o.err() + o.out());
            String md = Files.readString(out.resolve("report.md"));
            assertTrue(md.contains("1 input file(s) could not be read and were skipped") && md.contains("broken.mid"), md);
            JsonNode run = Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
            String sample = run.get("samples").get(0).get("texts").get(0).asText();
            assertTrue(sample.endsWith(".mid") && md.contains("](" + sample + ")"), md);
            javax.sound.midi.MidiSystem.getSequence(out.resolve(sample).toFile());   // opens in javax.sound.midi
        }
        assertUserError(TINY.replace("source: builtin:markov-names\n  names: 300", "source: " + dir.resolve("midi/sub/broken.mid")),
                "broken.mid: not a valid MIDI file");
        assertUserError(TINY.replace("source: builtin:markov-names\n  names: 300", "source: " + midi.getParent() + "\n  augment: {transpose: 2}"),
                "data.augment.transpose: transposes piano rolls only (a .json/.pickle source, or MIDI with encoding: pianoroll), not events tokens");
    }

    @Test
    void dinosaurusRunsOnTheSharedCorpusWhenPresent() throws Exception {
        Path dinos = Path.of("..", "..", "shared", "datasets", "dinos.txt");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(dinos), "../shared/datasets/dinos.txt is absent");
        Path out = dir.resolve("dino");
        CliRun o = run("run", "dinosaurus.yaml", "--out", out.toString(), "--set", "data.source=" + dinos,
                "--set", "training.epochs=1", "--set", "models[0].hidden=16", "--set", "models[1].hidden=16",
                "--set", "models[2].hidden=16", "--set", "models[3].hidden=16");
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertEquals(List.of("rnn", "lstm", "gru", "dl4j-lstm"), r.get("runs").findValuesAsText("model"));
        assertTrue(r.get("baselines").get("unigram").get("test_loss").asDouble() > r.get("runs").get(0).get("metrics").get("test_loss").asDouble() - 0.5);
    }

    private void assertUserError(String yaml, String expected, String... extra) throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), yaml);
        Path out = dir.resolve("bad-out");
        String[] args = new String[extra.length + 4];
        args[0] = "run";
        args[1] = f.toString();
        args[2] = "--out";
        args[3] = out.toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        CliRun o = run(args);
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().lines().count(), "one line: " + o.err());
        assertTrue(o.err().startsWith("seqlab: error: "), o.err());
        assertTrue(o.err().contains(expected), o.err());
        assertFalse(Files.exists(out), "nothing is written for bad input");
    }

    @Test
    void badInputGetsOneLineAndExitCode2() throws Exception {
        assertUserError(TINY.replace("hidden: 24", "hiden: 24"), "bad.yaml:8:5: models[0].hiden: unknown key");
        assertUserError(TINY.replace("epochs: 2", "epochs: [2]"), "training.epochs: expected an integer");
        assertUserError(TINY.replace("lr: 0.01", "lr: -1"), "training.lr: must be > 0");
        assertUserError(TINY.replace("hidden: 24", "hidden: 0"), "models[0].hidden: must be >= 1, got 0");
        assertUserError(TINY.replace("source: builtin:markov-names\n  names: 300", "source: no/such/file.txt"),
                "data.source: file not found");
        Path one = Files.writeString(dir.resolve("one.txt"), "aaa\naa\naaaa\na\naa\n");
        assertUserError(TINY.replace("source: builtin:markov-names\n  names: 300", "source: " + one), "1 distinct character(s)");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        assertUserError(TINY.replace("source: builtin:markov-names\n  names: 300", "source: " + empty), "is empty");
        assertUserError(TINY, "training.seq_len: is 100000 but the training split has only", "--set", "training.seq_len=100000");
        assertUserError(TINY.replace("hidden: 24", "hidden: 24\n    layers: 0"), "models[0].layers: must be >= 1, got 0");
        assertUserError(TINY.replace("hidden: 24", "hidden: 24\n    dropout: 1.0"), "models[0].dropout: must be in [0, 1), got 1");
        Path text = Files.writeString(dir.resolve("text.txt"), "the quick brown fox jumps over the lazy dog. ".repeat(50));
        assertUserError(TINY.replace("source: builtin:markov-names\n  names: 300", "source: " + text + "\n  mode: stream"),
                "training.batching: examples needs one example per line", "--set", "training.batching=examples");
        assertUserError(TINY, "training.seq_len: sequential batching cuts", "--set", "training.batching=sequential", "--set", "training.batch_size=500");
    }
}
