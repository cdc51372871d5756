package org.seqlab.experiments;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;
import org.seqlab.core.Results;
import org.seqlab.core.TestLosses;
import org.seqlab.experiments.compare.DifferenceSection;
import org.seqlab.experiments.compare.PairedComparison;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The known-truth case on builtin:markov-names, end to end: the generating chain's per-example
 * loss (the optimum) is significantly better than any trained model, a model trained much longer
 * significantly better than a barely trained one; the files beside results.json carry the split's
 * identity, the report's section is rebuilt from them alone, and {@code seqlab compare} pairs two
 * directories of the same split and refuses two of different splits.
 */
class PairedComparisonTest {
    @TempDir
    static Path dir;
    static Path out;
    static Results results;

    private static String experiment(String name, long splitSeed, boolean both) {
        return """
                name: %s
                data:
                  source: builtin:markov-names
                  names: 600
                  split_seed: %d
                models:
                  - {family: handrolled, name: trained, cell: gru, hidden: 32}
                %s
                training:
                  batching: examples
                  epochs: 6
                  batch_size: 16
                  lr: 0.02
                samples: {count: 1, temperatures: [1.0]}
                """.formatted(name, splitSeed, both ? "  - {family: handrolled, name: barely, cell: rnn, hidden: 8, training: {epochs: 1, lr: 0.0003}}" : "");
    }

    @BeforeAll
    static void runTheKnownTruthExperiment() throws Exception {
        Path yaml = Files.writeString(dir.resolve("truth.yaml"), experiment("truth", 0, true));
        out = dir.resolve("truth");
        CliRun o = CliRun.of("run", yaml.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        results = Json.read(out.resolve("results.json"), Results.class);
    }

    @Test
    void everyRunKeepsItsPerExampleLossesWithTheSplitsIdentity() throws Exception {
        for (String f : List.of("trained-seed1234.tsv", "barely-seed1234.tsv", "reference-unigram.tsv", "reference-optimum.tsv"))
            assertTrue(Files.isRegularFile(out.resolve(TestLosses.FOLDER).resolve(f)), f);
        TestLosses trained = TestLosses.read(out.resolve(TestLosses.FOLDER).resolve("trained-seed1234.tsv"));
        TestLosses optimum = TestLosses.read(out.resolve(TestLosses.FOLDER).resolve("reference-optimum.tsv"));
        assertEquals(results.dataset().sha256(), trained.header().datasetSha256());
        assertEquals("examples", trained.header().split().method());
        assertEquals(0L, trained.header().split().seed());
        assertEquals(trained.header().splitIdentity(), optimum.header().splitIdentity(), "the optimum scored the same examples");
        assertEquals(results.dataset().tokens().test(), trained.header().predictions(), "every test token is in one example");
        assertEquals(60, trained.header().examples(), "one example per test name (10% of 600)");
        Results.Run run = results.runs().stream().filter(r -> r.model().equals("trained")).findFirst().orElseThrow();
        assertEquals(run.metrics().testLoss(), trained.meanLoss(), 1e-9, "the examples add up to the reported test loss");
        assertEquals(results.dataset().trueModelTestLoss(), optimum.meanLoss(), 1e-9, "the chain's per-name losses add up to its test loss");
    }

    @Test
    void theOptimumBeatsEveryModelAndLongerTrainingBeatsBarelyAny() {
        PairedComparison c = DifferenceSection.read(out, results).comparison();
        List<String> names = c.entries().stream().map(PairedComparison.Entry::name).toList();
        assertEquals(List.of("optimum", "trained", "unigram", "barely"), names, "by mean test loss");
        for (PairedComparison.Pair p : c.pairs()) {
            assertTrue(p.significant(), names.get(p.a()) + " vs " + names.get(p.b()) + ": " + p);
            assertTrue(p.difference().high() < 0, "the better one's interval lies below zero: " + p);
        }
        assertEquals(4, c.groups().size(), "every model stands alone: " + c.groups());
    }

    @Test
    void theReportSaysWhetherEachDifferenceIsRealAndIsRebuiltFromTheFilesAlone() throws Exception {
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("## Is the difference real?"), md);
        assertTrue(md.contains("The optimum beats trained by "), md);
        assertTrue(md.contains("trained beats barely by "), md);
        assertTrue(md.contains("over 60 test sequences"), md);
        assertTrue(md.contains("these two trained models different"), "says which question the intervals answer");
        String section = md.substring(md.indexOf("## Is the difference real?"));
        assertEquals(6, section.lines().takeWhile(l -> !l.startsWith("## Learning")).filter(l -> l.startsWith("- ")).count(), "one sentence per pair");
        assertTrue(Files.size(out.resolve(DifferenceSection.PICTURE)) > 1000);
        assertTrue(Files.readString(out.resolve("report.html")).contains("background:" + "#c8e6c9"), "cells coloured by significance");
        Files.delete(out.resolve("report.md"));
        CliRun o = CliRun.of("report", out.toString());
        assertEquals(0, o.code(), o.err());
        assertEquals(md, Files.readString(out.resolve("report.md")), "the section is a function of the files beside results.json");
    }

    /** A stream read in lanes with carried state: each example is one evaluation chunk, and together they hold every test token once. */
    @Test
    void aStreamIsCutIntoItsEvaluationChunks() throws Exception {
        Path yaml = Files.writeString(dir.resolve("stream.yaml"), experiment("stream", 0, false)
                .replace("batching: examples", "batching: sequential").replace("epochs: 6", "epochs: 1").replace("batch_size: 16", "batch_size: 4\n  seq_len: 16"));
        Path stream = dir.resolve("stream");
        CliRun o = CliRun.of("run", yaml.toString(), "--out", stream.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        Results r = Json.read(stream.resolve("results.json"), Results.class);
        TestLosses t = TestLosses.read(stream.resolve(TestLosses.FOLDER).resolve("trained-seed1234.tsv"));
        assertEquals("chunk", t.header().example());
        assertEquals(r.dataset().tokens().test(), t.header().predictions(), "every test token in exactly one chunk");
        assertTrue(t.header().examples() > 4, "more chunks than lanes: " + t.header().examples());
        TestLosses unigram = TestLosses.read(stream.resolve(TestLosses.FOLDER).resolve("reference-unigram.tsv"));
        assertEquals(r.baselines().get("unigram").testLoss(), unigram.meanLoss(), 1e-9, "the unigram's chunks add up to its test loss");
        assertFalse(Files.exists(stream.resolve(TestLosses.FOLDER).resolve("reference-optimum.tsv")), "the optimum is per name, not per chunk");
    }

    /** Series: every test target is an example, scored in squared error, and each naive forecast takes part. */
    @Test
    void seriesModelsArePairedWithEachNaiveForecast() throws Exception {
        Path yaml = Files.writeString(dir.resolve("series.yaml"), """
                name: series
                data:
                  source: builtin:seasonal
                  split: [0.7, 0.15, 0.15]
                  series: {length: 300, horizon: 1, season: 12, moving_average: 6}
                models:
                  - {family: handrolled, name: gru, cell: gru, hidden: 8}
                training: {epochs: 3, batch_size: 16, seq_len: 24, lr: 0.02}
                """);
        Path series = dir.resolve("series");
        CliRun o = CliRun.of("run", yaml.toString(), "--out", series.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        Results r = Json.read(series.resolve("results.json"), Results.class);
        PairedComparison c = DifferenceSection.read(series, r).comparison();
        assertEquals(4, c.entries().size(), "the model and three naive forecasts: " + c.entries());
        for (PairedComparison.Entry e : c.entries()) {
            assertEquals(45, e.count().length, "one example per test target");
            if (e.reference())
                assertEquals(r.baselines().get(e.name()).testLoss(), e.meanLoss(), 1e-9, "per-target errors add up to the baseline's loss");
        }
        String md = Files.readString(series.resolve("report.md"));
        assertTrue(md.contains("## Is the difference real?") && md.contains("squared error per value"), md);
    }

    @Test
    void compareRefusesAnotherSplitAndPairsTheSameOne() throws Exception {
        CliRun same = CliRun.of("compare", out.toString(), out.toString(), "trained", "barely");
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().contains("truth/trained beats truth/barely by ") || same.out().contains("A/trained beats B/barely by "), same.out());
        CliRun itself = CliRun.of("compare", out.toString(), out.toString());
        assertEquals(0, itself.code(), itself.err());
        assertTrue(itself.out().contains("cannot be told apart"), itself.out());

        Path yaml = Files.writeString(dir.resolve("other.yaml"), experiment("other", 7, false).replace("epochs: 6", "epochs: 1"));
        Path other = dir.resolve("other");
        assertEquals(0, CliRun.of("run", yaml.toString(), "--out", other.toString()).code());
        CliRun refused = CliRun.of("compare", out.toString(), other.toString());
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains("scored different test splits") && refused.err().contains("seed 7"), refused.err());
        assertFalse(refused.out().contains("beats"));
    }
}
