package org.seqlab.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;
import org.seqlab.experiments.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepTest {
    @TempDir
    Path dir;

    private static final String SWEEP = """
            name: sw
            data: {source: builtin:markov-names, names: 200}
            models:
              - {family: handrolled, name: m, cell: rnn, hidden: 16}
            training: {epochs: 2, batch_size: 8, seq_len: 16, lr: 0.01}
            sweep:
              generator: random
              trials: TRIALS
              workers: 2
              seed: 3
              parameters:
                models[0].hidden: {type: discrete, values: [8, 16, 24]}
                training.lr: {type: continuous, min: 0.001, max: 0.05, log: true}
                training.seq_len: {type: discrete, values: [16, 16, 100000]}
            """;

    private Path yaml(int trials) throws Exception {
        return Files.writeString(dir.resolve("sw.yaml"), SWEEP.replace("TRIALS", String.valueOf(trials)));
    }

    private static int cli(String... args) {
        return Main.execute(new PrintWriter(new StringWriter(), true), args);
    }

    private static List<JsonNode> lines(Path jsonl) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) if (!l.isBlank()) out.add(Json.MAPPER.readTree(l));
        return out;
    }

    /**
     * A sweep directory belongs to one definition: re-running into it with a changed search space,
     * or with the same file whose data changed, stops with what changed (exit 2) instead of mixing
     * old and new trials; more trials extend the same search; --fresh starts afresh.
     */
    @Test
    void aChangedSweepDefinitionIsRefusedUnlessFresh() throws Exception {
        Path data = Files.writeString(dir.resolve("names.txt"), "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\n".repeat(20));
        String base = SWEEP.replace("{source: builtin:markov-names, names: 200}", "{source: " + data + "}")
                .replace("values: [8, 16, 24]", "values: [8, 16]").replace("values: [16, 16, 100000]", "values: [16]").replace("workers: 2", "workers: 1");
        Path out = dir.resolve("same");
        Path first = Files.writeString(dir.resolve("a.yaml"), base.replace("TRIALS", "2"));
        assertEquals(0, cli("sweep", first.toString(), "--out", out.toString()));
        Path more = Files.writeString(dir.resolve("b.yaml"), base.replace("TRIALS", "3"));
        assertEquals(0, cli("sweep", more.toString(), "--out", out.toString()), "more trials extend the same search");
        assertEquals(3, lines(out.resolve("trials.jsonl")).size());

        Path changed = Files.writeString(dir.resolve("c.yaml"), base.replace("TRIALS", "3").replace("max: 0.05", "max: 0.5"));
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(err, true), "sweep", changed.toString(), "--out", out.toString()), err.toString());
        assertTrue(err.toString().contains("holds the trials of another sweep definition (changed: sweep.parameters.training.lr.max)"), err.toString());

        Files.writeString(data, "zora\n", java.nio.file.StandardOpenOption.APPEND);
        err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(err, true), "sweep", more.toString(), "--out", out.toString()), err.toString());
        assertTrue(err.toString().contains("(changed: the data's content)"), err.toString());
        assertEquals(3, lines(out.resolve("trials.jsonl")).size(), "refused before touching the trials");

        assertEquals(0, cli("sweep", changed.toString(), "--out", out.toString(), "--fresh"));
        List<JsonNode> trials = lines(out.resolve("trials.jsonl"));
        assertEquals(3, trials.size(), "only the new definition's trials");
        assertEquals(0, cli("sweep", changed.toString(), "--out", out.toString()), "and it resumes as itself");
    }

    /** Two sweeps into one directory would each run every trial: the second is refused while the first holds it. */
    @Test
    void aSecondSweepOnTheSameDirectoryIsRefused() throws Exception {
        Path out = dir.resolve("shared");
        try (DirectoryLock held = DirectoryLock.acquire(out, "seqlab sweep first.yaml")) {
            StringWriter err = new StringWriter();
            assertEquals(2, Main.execute(new PrintWriter(err, true), "sweep", yaml(2).toString(), "--out", out.toString()), err.toString());
            assertTrue(err.toString().contains("is in use by another seqlab command") && err.toString().contains("seqlab sweep first.yaml"), err.toString());
            assertTrue(Files.notExists(out.resolve("trials.jsonl")), "no trial ran");
        }
    }

    /** Without seqlab's Spark module on the class path (a plain java -cp), --spark and bench sweep say how to get it: one line, exit 2. */
    @Test
    void sparkWithoutItsModuleIsOneLineSayingHowToGetIt() throws Exception {
        CliRun sweep = CliRun.of("sweep", yaml(2).toString(), "--out", dir.resolve("nospark").toString(), "--spark", "local[2]");
        assertEquals(2, sweep.code(), sweep.err());
        assertTrue(sweep.err().contains("--spark needs seqlab's Spark module") && sweep.err().lines().count() == 1, sweep.err());
        assertTrue(Files.notExists(dir.resolve("nospark/trials.jsonl")), "no trial ran");
        CliRun bench = CliRun.of("bench", "sweep", "--trials", "1");
        assertEquals(2, bench.code(), bench.err());
        assertTrue(bench.err().contains("bench sweep needs seqlab's Spark module"), bench.err());
    }

    /** For every generator (grid, random and genetic). */
    @Test
    void aMisspeltParameterPathStopsTheSweepBeforeAnyTrial() throws Exception {
        for (String generator : List.of("grid", "random", "genetic")) {
            Path file = Files.writeString(dir.resolve("typo.yaml"), SWEEP.replace("TRIALS", "2").replace("models[0].hidden:", "models[0].hiden:")
                    .replace("generator: random", "generator: " + generator));
            Path out = dir.resolve("typo-" + generator);
            StringWriter err = new StringWriter();
            assertEquals(2, Main.execute(new PrintWriter(err, true), "sweep", file.toString(), "--out", out.toString()), generator + ": " + err);
            assertTrue(err.toString().contains("sweep.parameters.models[0].hiden") && err.toString().contains("unknown key"), generator + ": " + err);
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(Files.notExists(out.resolve("trials.jsonl")), generator + ": no trial ran");
        }
    }

    /**
     * ASHA stops a trial whose loss at a rung is outside the best 1/η recorded there, as "stopped" with
     * its metrics so far; a resumed sweep feeds the finished trials' curves to the rule again, so a
     * bad trial run in a later invocation, alone, is stopped as it would have been in one go.
     */
    @Test
    void ashaStopsTrialsOutsideTheBestFractionOfARungAlsoAfterAResume() throws Exception {
        String base = """
                name: asha
                data: {source: builtin:markov-names, names: 200}
                models:
                  - {family: handrolled, name: m, cell: rnn, hidden: 16}
                training: {epochs: 3, batch_size: 8, seq_len: 16, lr: 0.01}
                sweep:
                  generator: grid
                  trials: TRIALS
                  workers: 1
                  asha: {min_resource: 1, reduction_factor: 2}
                  parameters:
                    training.lr: {type: discrete, values: [0.02, 0.02, 0.000001]}
                """;
        Path out = dir.resolve("asha");
        assertEquals(0, cli("sweep", Files.writeString(dir.resolve("a2.yaml"), base.replace("TRIALS", "2")).toString(), "--out", out.toString()));
        CliRun second = CliRun.of("sweep", Files.writeString(dir.resolve("a3.yaml"), base.replace("TRIALS", "3")).toString(), "--out", out.toString());
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("trial-002 (3 of 3) training.lr=") && second.out().contains(": stopped -> "), "console labels match the trial folders: " + second.out());
        List<JsonNode> trials = lines(out.resolve("trials.jsonl"));
        assertEquals(3, trials.size());
        for (JsonNode t : trials.subList(0, 2)) assertEquals("ok", t.get("status").asText(), t.toString());
        JsonNode bad = trials.get(2);
        assertEquals("stopped", bad.get("status").asText(), bad.toString());
        assertTrue(bad.get("error").asText().startsWith("stopped by ASHA at rung 0 (1 epochs)") && bad.get("error").asText().endsWith("of 2 trials there"),
                "judged against the two trials of the first invocation: " + bad);
        assertTrue(bad.get("metric").isNumber(), "with its metric so far: " + bad);
        assertTrue(Files.exists(out.resolve("best.yaml")));
    }

    /** Every trial blows up: the sweep fails (exit 1), says so, and recommends nothing (no best.yaml). */
    @Test
    void aSweepWhereNoTrialSucceedsFailsAndWritesNoBestYaml() throws Exception {
        Path file = Files.writeString(dir.resolve("boom.yaml"), SWEEP.replace("TRIALS", "2")
                .replace("training.lr: {type: continuous, min: 0.001, max: 0.05, log: true}", "training.lr: {type: continuous, min: 100000, max: 1000000}")
                .replace("values: [8, 16, 24]", "values: [8, 16]").replace("values: [16, 16, 100000]", "values: [16]"));
        Path out = dir.resolve("boom");
        StringWriter err = new StringWriter();
        assertEquals(1, Main.execute(new PrintWriter(err, true), "sweep", file.toString(), "--out", out.toString()), err.toString());
        assertTrue(err.toString().contains("no trial of the sweep finished successfully ({diverged=2})"), err.toString());
        assertTrue(Files.notExists(out.resolve("best.yaml")));
        for (JsonNode t : lines(out.resolve("trials.jsonl"))) assertEquals("diverged", t.get("status").asText(), t.toString());
        assertTrue(!Files.readString(out.resolve("sweep.md")).contains("## Best"), "no best trial in the report");
    }

    @Test
    void aSweepRecordsEveryTrialFailuresIncludedAndWritesTheBestYaml() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, cli("sweep", yaml(5).toString(), "--out", out.toString()));
        List<JsonNode> trials = lines(out.resolve("trials.jsonl"));
        assertEquals(5, trials.size());
        Set<Integer> ids = new HashSet<>();
        for (JsonNode t : trials) {
            ids.add(t.get("trial").asInt());
            // a value that passes the field checks but not the data (longer than the split) fails its trial alone
            boolean bad = t.get("params").get("training.seq_len").asInt() == 100000;
            assertEquals(bad ? "failed" : "ok", t.get("status").asText(), t.toString());
            if (bad) assertTrue(t.get("error").asText().contains("training.seq_len: is 100000 but the training split has only"), t.toString());
            else assertTrue(t.get("metric").asDouble() > 0);
        }
        assertEquals(Set.of(0, 1, 2, 3, 4), ids);
        String md = Files.readString(out.resolve("sweep.md"));
        double best = trials.stream().filter(t -> t.get("metric").isNumber()).mapToDouble(t -> t.get("metric").asDouble()).min().orElseThrow();
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "valid_loss %.4f", best)), md);
        assertTrue(Files.exists(out.resolve("sweep.html")));
        // the best configuration runs as an ordinary experiment
        ConfigLoader.Loaded bestCfg = ConfigLoader.load(out.resolve("best.yaml"), List.of());
        assertEquals("sw-best", bestCfg.config().name());
        assertTrue(bestCfg.config().sweep() == null);
        // running the same sweep again finds everything done
        assertEquals(0, cli("sweep", yaml(5).toString(), "--out", out.toString()));
        assertEquals(5, lines(out.resolve("trials.jsonl")).size());
    }

    @Test
    void gridSearchPlansEveryCombinationOnceAndRandomPlansAreReproducible() {
        ConfigLoader.Loaded grid = ConfigLoader.load(Path.of("hyperparams.yaml"), List.of());
        List<java.util.Map<String, Object>> plan = new org.seqlab.experiments.sweep.SweepRunner(grid, dir, s -> {}).plan();
        assertEquals(32, plan.size());
        assertEquals(32, new HashSet<>(plan).size(), "every combination once");
        assertTrue(plan.stream().anyMatch(p -> p.get("models[0].cell").equals("lstm") && p.get("training.seq_len").equals(50)));
        ConfigLoader.Loaded random = ConfigLoader.load(Path.of("sweep-lstm.yaml"), List.of());
        List<java.util.Map<String, Object>> a = new org.seqlab.experiments.sweep.SweepRunner(random, dir, s -> {}).plan();
        assertEquals(a, new org.seqlab.experiments.sweep.SweepRunner(random, dir, s -> {}).plan(), "same seed, same trials");
        assertEquals(12, a.size());
        for (java.util.Map<String, Object> p : a) {
            double lr = ((Number) p.get("training.lr")).doubleValue();
            int hidden = ((Number) p.get("models[0].hidden")).intValue();
            assertTrue(lr >= 0.0003 && lr <= 0.01 && hidden >= 32 && hidden <= 192, p.toString());
        }
    }

    @Test
    void theMedianRulePrunesHopelessTrials() throws Exception {
        Path file = Files.writeString(dir.resolve("median.yaml"), """
                name: median
                data: {source: builtin:markov-names, names: 200}
                models:
                  - {family: handrolled, name: m, cell: rnn, hidden: 16}
                training: {epochs: 3, batch_size: 8, seq_len: 16, lr: 0.01}
                sweep:
                  generator: grid
                  trials: 4
                  workers: 1
                  median_stop_after: 1
                  median_min_trials: 3
                  parameters:
                    training.lr: {type: discrete, values: [0.02, 0.01, 0.005, 0.0000001]}
                """);
        Path out = dir.resolve("median");
        assertEquals(0, cli("sweep", file.toString(), "--out", out.toString()));
        List<JsonNode> trials = lines(out.resolve("trials.jsonl"));
        assertEquals(4, trials.size());
        JsonNode hopeless = trials.stream().filter(t -> t.get("params").get("training.lr").asDouble() < 1e-6).findFirst().orElseThrow();
        assertEquals("pruned", hopeless.get("status").asText(), hopeless.toString());
        assertTrue(hopeless.get("error").asText().startsWith("pruned after epoch 1"), hopeless.toString());
        assertEquals(3, trials.stream().filter(t -> t.get("status").asText().equals("ok")).count());
    }

    @Test
    void geneticSearchRunsItsTrialsAndResumesWithoutReusingNumbers() throws Exception {
        Path file = Files.writeString(dir.resolve("genetic.yaml"), SWEEP.replace("TRIALS", "6").replace("generator: random", "generator: genetic")
                .replace("values: [16, 16, 100000]", "values: [16]"));
        Path out = dir.resolve("genetic");
        assertEquals(0, cli("sweep", file.toString(), "--out", out.toString()));
        Path log = out.resolve("trials.jsonl");
        assertEquals(6, lines(log).size());
        Files.write(log, Files.readAllLines(log).subList(0, 4));        // as if two trials never finished
        assertEquals(0, cli("sweep", file.toString(), "--out", out.toString()));
        Set<Integer> ids = new HashSet<>();
        for (JsonNode t : lines(log)) assertTrue(ids.add(t.get("trial").asInt()), "trial numbers are never reused");
        assertEquals(6, ids.size(), "exactly the planned number of trials");
        assertTrue(Files.readString(out.resolve("sweep.md")).contains("genetic search"));
    }

    @Test
    void aResumedSweepRunsExactlyTheMissingTrials() throws Exception {
        Path out = dir.resolve("resume");
        assertEquals(0, cli("sweep", yaml(3).toString(), "--out", out.toString()));
        Path log = out.resolve("trials.jsonl");
        List<String> kept = Files.readAllLines(log).subList(0, 2);
        // as after a crash: two trials finished, the third was being written when the process died
        Files.write(log, kept);
        Files.writeString(log, "{\"trial\":2,\"params\":{\"models[0].hi", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, cli("sweep", yaml(6).toString(), "--out", out.toString()));
        List<JsonNode> trials = parseValid(log);
        Set<Integer> ids = new HashSet<>();
        for (JsonNode t : trials) assertTrue(ids.add(t.get("trial").asInt()), "trial " + t.get("trial") + " ran twice");
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), ids);
        assertEquals(kept.get(0), Files.readAllLines(log).get(0), "finished trials are not rerun");
        assertEquals(6, lines(log).size(), "the torn line is repaired away, every line parses: " + Files.readString(log));
    }

    private static List<JsonNode> parseValid(Path jsonl) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            try {
                out.add(Json.MAPPER.readTree(l));
            } catch (java.io.IOException torn) {
                // the torn line left by the simulated crash
            }
        }
        return out;
    }

    @Test
    void aSweepKilledWithSigkillCompletesWhenRunAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("kill.yaml"), SWEEP.replace("TRIALS", "6").replace("workers: 2", "workers: 1")
                .replace("values: [16, 16, 100000]", "values: [16]").replace("epochs: 2", "epochs: 3"));
        Path out = dir.resolve("killed");
        Path log = out.resolve("trials.jsonl");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "sweep", file.toString(), "--out", out.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < until && (!Files.exists(log) || Files.readAllLines(log).size() < 2)) Thread.sleep(50);
        p.destroyForcibly();                               // SIGKILL: no shutdown hooks, no cleanup
        p.waitFor(30, TimeUnit.SECONDS);
        int before = parseValid(log).size();
        assertTrue(before >= 2 && before < 6, "killed half way: " + before + " trials finished");
        assertEquals(0, cli("sweep", file.toString(), "--out", out.toString()));
        List<JsonNode> trials = parseValid(log);
        Set<Integer> ids = new HashSet<>();
        for (JsonNode t : trials) assertTrue(ids.add(t.get("trial").asInt()), "trial " + t.get("trial") + " ran twice");
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), ids, "exactly the planned trials");
    }
}
