package org.seqlab.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;
import org.seqlab.core.UserException;
import org.seqlab.data.music.MidiWriter;
import org.seqlab.data.music.Note;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad or unusual input to the newer commands and keys (sweeps, Spark, render, report, schedules):
 * one line and exit 2, or a correct result; never an internal error, a hang or a silent wrong run.
 */
class NewerCommandsBadInputTest {
    @TempDir
    Path dir;

    private static final String TINY = """
            name: tiny
            data: {source: builtin:markov-names, names: 200}
            models:
              - {family: handrolled, name: m, hidden: 8}
            training: {epochs: 1, batch_size: 8, seq_len: 16, lr: 0.01}
            """;

    private static final String SWEEP = TINY + """
            sweep:
              trials: 2
              parameters:
                training.lr: {type: continuous, min: 0.001, max: 0.1, log: true}
            """;

    /** One line, exit 2, starting "seqlab: error: " and containing every part. */
    private static CliRun refused(CliRun o, String... parts) {
        assertEquals(2, o.code(), o.err() + o.out());
        assertEquals(1, o.err().lines().count(), "one line: " + o.err());
        assertTrue(o.err().startsWith("seqlab: error: "), o.err());
        for (String p : parts) assertTrue(o.err().contains(p), p + " in: " + o.err());
        return o;
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    // ---- sweeps and Spark ------------------------------------------------------------------

    /** Every trial fails (at run time, as a too-long seq_len does) with a log-scale parameter: the report is written, exit 1 with its reason. */
    @Test
    void aSweepWhoseTrialsAllFailWritesItsReportWithALogParameter() throws Exception {
        Path yaml = file("fail.yaml", SWEEP.replace("training.lr:", "training.seq_len: {type: discrete, values: [100000, 200000]}\n    training.lr:"));
        Path out = dir.resolve("fail");
        for (int run = 0; run < 2; run++) {                  // a rerun (nothing left to run) writes the same report
            CliRun o = CliRun.of("sweep", yaml.toString(), "--out", out.toString());
            assertEquals(1, o.code(), o.err());
            assertFalse(o.err().contains("internal error"), o.err());
            assertTrue(o.err().contains("no trial of the sweep finished successfully ({failed=2})"), o.err());
            assertTrue(Files.readString(out.resolve("sweep.md")).contains("| failed |"), "the failed trials are listed");
            assertTrue(Files.size(out.resolve("sweep.html")) > 0);
        }
    }

    /** Values that no run would accept are found before the first trial, for discrete values and range bounds alike, and nothing is written. */
    @Test
    void invalidValuesInASearchSpaceStopTheSweepBeforeAnyTrial() throws Exception {
        Path hidden = file("hidden.yaml", SWEEP.replace("training.lr:", "models[0].hidden: {type: discrete, values: [8, 0]}\n    training.lr:"));
        refused(CliRun.of("sweep", hidden.toString(), "--out", dir.resolve("h").toString()),
                "sweep.parameters.models[0].hidden (the value 0)", "models[0].hidden: must be >= 1, got 0");
        assertTrue(Files.notExists(dir.resolve("h")), "nothing written");
        Path every = file("every.yaml", SWEEP.replace("training.lr:", "training.eval_every: {type: int, min: -5, max: 3}\n    training.lr:"));
        refused(CliRun.of("sweep", every.toString(), "--out", dir.resolve("e").toString()),
                "every.yaml:9:5: sweep.parameters.training.eval_every (the value -5)", "training.eval_every: must be >= 0");
        assertTrue(Files.notExists(dir.resolve("e")));
    }

    /** A malformed master, from the flag or the file, is refused before anything is written. */
    @Test
    void malformedSparkMastersAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path yaml = file("sw.yaml", SWEEP);
        for (String[] bad : List.of(new String[]{"foo", "--spark foo: 'foo' is not a Spark master URL; expected local[N]"},
                new String[]{"local[0]", "--spark local[0]: 'local[0]' asks for 0 threads"},
                new String[]{"spark://host:99999", "port 99999 is not in 1..65535"})) {
            Path out = dir.resolve("m" + bad[0].length());
            refused(CliRun.of("sweep", yaml.toString(), "--out", out.toString(), "--spark", bad[0]), bad[1]);
            assertTrue(Files.notExists(out), "no sweep-definition.json for " + bad[0]);
        }
        Path inFile = file("inFile.yaml", SWEEP + "  spark: {master: 'local[x]'}\n");
        refused(CliRun.of("sweep", inFile.toString(), "--out", dir.resolve("f").toString()), "sweep.spark.master: 'local[x]' is not a Spark master URL");
        assertTrue(Files.notExists(dir.resolve("f")));
    }

    /** Nothing listening at a standalone master: one line within seconds, not a minute of silence and Spark's stack trace. */
    @Test
    void anUnreachableSparkMasterIsOneLineAtOnce() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        long start = System.nanoTime();
        Path out = dir.resolve("unreachable");
        refused(CliRun.of("sweep", file("sw.yaml", SWEEP).toString(), "--out", out.toString(), "--spark", "spark://127.0.0.1:" + port),
                "cannot reach the Spark master spark://127.0.0.1:" + port);
        assertTrue((System.nanoTime() - start) / 1e9 < 5 + 5, "within the connection timeout");
        assertTrue(Files.notExists(out));
    }

    // ---- configuration keys ----------------------------------------------------------------

    @Test
    void internalKeysCannotBeWritten() throws Exception {
        Path yaml = file("mt.yaml", TINY + "model_training: [{epochs: 1}]\n");
        refused(CliRun.of("run", yaml.toString(), "--out", dir.resolve("mt").toString()), "mt.yaml:6:1: model_training: not a key to write");
        assertTrue(Files.notExists(dir.resolve("mt")));
        CliRun typo = refused(CliRun.of("run", file("typo.yaml", TINY + "modelz: 1\n").toString(), "--out", dir.resolve("t").toString()), "unknown key");
        assertFalse(typo.err().contains("model_training"), "not offered as a valid key: " + typo.err());
    }

    /** Settings a schedule's type would ignore are refused, as data keys of another kind are; a factor of 0 too. */
    @Test
    void schedulesRefuseKeysThatDoNotApply() throws Exception {
        Path yaml = file("s.yaml", TINY);
        for (String[] bad : List.of(
                new String[]{"training.schedule={type: exponential, factor: 0}", "training.schedule.factor: must be in (0, 1], got 0"},
                new String[]{"training.schedule={type: constant, warmup_steps: 10}", "training.schedule.warmup_steps: does not apply to a constant schedule"},
                new String[]{"training.schedule={type: cosine, patience: 3}", "training.schedule.patience: does not apply to a cosine schedule (it takes min_factor, warmup_steps)"},
                new String[]{"models[0].training={schedule: {type: step, min_factor: 0.2}}", "models[0].training.schedule.min_factor: does not apply to a step schedule"}))
            refused(CliRun.of("run", yaml.toString(), "--out", dir.resolve("s").toString(), "--set", bad[0]), bad[1]);
        // a model's schedule of another type replaces the shared one instead of inheriting its settings
        var loaded = ConfigLoader.load(file("own.yaml", TINY.replace("lr: 0.01}", "lr: 0.01, schedule: {type: plateau, patience: 3}}")),
                List.of("models[0].training={schedule: {type: cosine, warmup_steps: 5}}"));
        assertEquals(5, loaded.config().trainingOf(0).schedule().warmupSteps());
        assertEquals(org.seqlab.core.train.LearningRateSchedule.Type.COSINE, loaded.config().trainingOf(0).schedule().type());
    }

    @Test
    void setErrorsNameTheFlagAndModelErrorsTheModel() throws Exception {
        file("base.yaml", TINY);
        Path child = file("child.yaml", "extends: base.yaml\nname: child\n");
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load(child, List.of("foo.bar=1")));
        assertTrue(e.getMessage().startsWith("--set foo.bar=1: foo: unknown key"), e.getMessage());
        e = assertThrows(UserException.class, () -> ConfigLoader.load(child, List.of("models[0].training={lr: -1}")));
        assertTrue(e.getMessage().contains("models[0].training.lr: must be > 0") && !e.getMessage().contains("model_training"), e.getMessage());
        Path own = file("own.yaml", TINY.replace("hidden: 8}", "hidden: 8, training: {epochs: 0}}"));
        e = assertThrows(UserException.class, () -> ConfigLoader.load(own, List.of()));
        assertTrue(e.getMessage().startsWith(own + ":4:") && e.getMessage().contains("models[0].training.epochs: must be >= 1"), e.getMessage());
    }

    /** A sweep parameter's name is a dotted path: --set adds one, and sets one's settings, by that name. */
    @Test
    void setAddsASweepParameterWithADottedPath() throws Exception {
        Path yaml = file("sw.yaml", SWEEP);
        var loaded = ConfigLoader.load(yaml, List.of("sweep.parameters.training.eval_every.type=int", "sweep.parameters.training.eval_every.min=1",
                "sweep.parameters.training.eval_every.max=4", "sweep.parameters.training.lr.max=0.05",
                "sweep.parameters.models[0].hidden={type: discrete, values: [4, 8]}"));
        var p = loaded.config().sweep().parameters();
        assertEquals(List.of("training.lr", "training.eval_every", "models[0].hidden"), List.copyOf(p.keySet()));
        assertEquals(4.0, p.get("training.eval_every").max());
        assertEquals(0.05, p.get("training.lr").max());
        assertEquals(List.of(4, 8), p.get("models[0].hidden").values());
    }

    // ---- report ----------------------------------------------------------------------------

    /** Report inputs: unknown fields, damaged files, missing fields and pictures, sweep directories, duplicates and the lock. */
    @Test
    void reportReadsWhatItCanAndNamesWhatItCannot() throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, CliRun.of("run", file("tiny.yaml", TINY).toString(), "--out", run.toString()).code());
        Path results = run.resolve("results.json");
        ObjectNode tree = (ObjectNode) Json.MAPPER.readTree(results.toFile());

        // a newer seqlab's field is skipped, and a missing picture is a warning, not a broken link
        ObjectNode newer = tree.deepCopy();
        newer.put("added_later", 1);
        ((ObjectNode) newer.get("runs").get(0)).put("picture", "gone.png");
        ((ObjectNode) newer.get("runs").get(0)).put("also_added_later", "x");
        Files.writeString(results, Json.write(newer));
        CliRun ok = CliRun.of("report", run.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.err().contains("warning: " + run.resolve("gone.png") + " (the picture of m) is missing"), ok.err());
        assertFalse(Files.readString(run.resolve("report.md")).contains("gone.png"), "no broken link");

        // the same directory named again (another spelling, a link) is one directory
        Path link = Files.createSymbolicLink(dir.resolve("link"), run);
        CliRun twice = CliRun.of("report", run.toString(), run.resolve(".").toString(), link.toString(), "--out", dir.resolve("cmp").toString());
        assertEquals(0, twice.code(), twice.err());
        assertTrue(twice.out().contains("(1 runs from 1 directories)"), twice.out());
        assertTrue(twice.err().contains("is named more than once"), twice.err());

        // damaged, wrong shape, missing field: one line naming the file
        for (String[] bad : List.of(new String[]{Json.write(tree).substring(0, 40), "results.json:"},
                new String[]{"not json", "not a readable results file"}, new String[]{"[1, 2]", "not a readable results file"})) {
            Files.writeString(results, bad[0]);
            refused(CliRun.of("report", run.toString()), results.toString(), bad[1]);
        }
        ObjectNode noDataset = tree.deepCopy();
        noDataset.remove("dataset");
        Files.writeString(results, Json.write(noDataset));
        refused(CliRun.of("report", run.toString()), results + ": not a complete results file: it has no 'dataset'");

        // the output lock: a report does not write into a directory that a run holds
        Files.writeString(results, Json.write(tree));
        Files.delete(run.resolve("report.html"));
        try (DirectoryLock held = DirectoryLock.acquire(run, "seqlab run tiny.yaml --fresh")) {
            refused(CliRun.of("report", run.toString()), "is in use by another seqlab command", "seqlab run tiny.yaml --fresh");
        }
        assertTrue(Files.notExists(run.resolve("report.html")));

        // a sweep's directory points to its own report
        Path sweep = Files.createDirectories(dir.resolve("sweep"));
        Files.writeString(sweep.resolve("trials.jsonl"), "");
        refused(CliRun.of("report", sweep.toString()), "a sweep's directory: its report is " + sweep.resolve("sweep.html"));
    }

    /** Any JSON file a command reads and cannot parse is one line naming it (here a sweep's definition). */
    @Test
    void aDamagedSweepDefinitionIsOneLineNamingIt() throws Exception {
        Path out = Files.createDirectories(dir.resolve("def"));
        Path def = Files.writeString(out.resolve("sweep-definition.json"), "{\"hash\": ");
        refused(CliRun.of("sweep", file("sw.yaml", SWEEP).toString(), "--out", out.toString()), def + ":1:");
    }

    // ---- render ----------------------------------------------------------------------------

    @Test
    void renderRefusesWhatItCannotRenderAndCapsTheLength() throws Exception {
        Path empty = Files.write(dir.resolve("empty.mid"), new byte[0]);
        refused(CliRun.of("render", empty.toString()), empty + ": not a MIDI file");
        // a header that promises a track that is not there
        Path header = Files.write(dir.resolve("header.mid"), new byte[]{'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96});
        refused(CliRun.of("render", header.toString()), header + ": not a MIDI file");
        refused(CliRun.of("render", dir.toString()), dir + ": a directory");

        byte[] a4 = MidiWriter.write(List.of(new Note(69, 0.0, 0.5, 100)), 1);
        Path mid = Files.write(dir.resolve("a4.mid"), a4);
        refused(CliRun.of("render", mid.toString(), "-o", mid.toString()), "is the MIDI file itself");
        assertArrayEquals(a4, Files.readAllBytes(mid), "the MIDI file is untouched");

        Path into = Files.createDirectories(dir.resolve("wavs"));
        CliRun toDir = CliRun.of("render", mid.toString(), "-o", into.toString());
        assertEquals(0, toDir.code(), toDir.err());
        assertTrue(Files.size(into.resolve("a4.wav")) > 44);

        // a note 30 s in: cut at the cap, with a warning that says how to raise it
        Path late = Files.write(dir.resolve("late.mid"), MidiWriter.write(List.of(new Note(69, 30.0, 30.5, 100)), 1));
        CliRun capped = CliRun.of("render", late.toString(), "--max-seconds", "2");
        assertEquals(0, capped.code(), capped.err());
        assertTrue(capped.err().contains("lasts 32 s; only its first 2 s were rendered (--max-seconds raises the cap"), capped.err());
        try (var in = javax.sound.sampled.AudioSystem.getAudioInputStream(dir.resolve("late.wav").toFile())) {
            assertEquals(2.0, in.getFrameLength() / in.getFormat().getFrameRate(), 0.01);
        }
        refused(CliRun.of("render", late.toString(), "--max-seconds", "0"), "--max-seconds: must be in (0, ");

        Path silent = Files.write(dir.resolve("silent.mid"), MidiWriter.write(List.of(), 1));
        CliRun quiet = CliRun.of("render", silent.toString());
        assertEquals(0, quiet.code(), quiet.err());
        assertTrue(quiet.err().contains(silent + " has no notes"), quiet.err());
    }

    // ---- sample and memory advice ----------------------------------------------------------

    @Test
    void sampleSaysWhereOtherSamplesAreAndWhatAPrimeMayHold() throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, CliRun.of("run", file("tiny.yaml", TINY).toString(), "--out", run.toString()).code());
        Path ckpt = run.resolve("checkpoints/m-seed1234");
        CliRun prime = refused(CliRun.of("sample", ckpt.toString(), "--prime", "a€"), "--prime:1:2: character", "write --prime with the model's own characters");
        assertFalse(prime.err().contains("data.unknown"), "a saved checkpoint cannot use data.unknown: " + prime.err());

        // the same checkpoint's info as a piano-roll and as a series model's
        for (String[] kind : List.of(new String[]{"frames", "a piano-roll (MIDI) model", "MIDI samples are in its run's report"},
                new String[]{"values", "a time-series model", "forecasts are in its run's report"})) {
            Path other = Files.createDirectories(dir.resolve(kind[0]));
            ObjectNode info = (ObjectNode) Json.MAPPER.readTree(ckpt.resolve("checkpoint.json").toFile());
            info.remove("vocabulary");
            ((ObjectNode) info.get("shape")).put("kind", kind[0]);
            Files.writeString(other.resolve("checkpoint.json"), Json.write(info));
            refused(CliRun.of("sample", other.toString()), kind[1], kind[2], "samples.count");
        }
    }

    @Test
    void memoryAdviceNamesALargeVocabularyAndMaxVocab() {
        List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) tokens.add("w" + i);
        String advice = VocabularyAdvice.of(new org.seqlab.core.data.Vocabulary(tokens, org.seqlab.core.data.UnknownPolicy.ERROR, null));
        assertTrue(advice.contains("vocabulary has 5,00") && advice.contains("data.max_vocab"), advice);
        assertEquals("", VocabularyAdvice.of(new org.seqlab.core.data.Vocabulary(List.of("a", "b"), org.seqlab.core.data.UnknownPolicy.ERROR, null)));
    }
}
