package org.seqlab.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.experiments.sweep.SweepRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark leaves nothing behind: its scratch (spark-* and blockmgr-* directories) lives under the
 * sweep's own directory while it runs and is removed at the end; what a killed driver left there
 * is removed when the sweep starts again. The system's temp directory (here one of the test's own,
 * so that other processes' files do not count) gets nothing.
 */
class SparkScratchTest {
    @TempDir
    Path dir;

    private static final String SWEEP = """
            name: scratch
            data: {source: DATA}
            models:
              - {family: handrolled, name: m, cell: rnn, hidden: 8}
            training: {epochs: 1, batch_size: 8, seq_len: 16, lr: 0.01}
            sweep:
              generator: random
              trials: TRIALS
              seed: 7
              parameters:
                training.lr: {type: continuous, min: 0.003, max: 0.03, log: true}
            """;

    private ConfigLoader.Loaded experiment(int trials) throws Exception {
        Path names = dir.resolve("names.txt");
        if (Files.notExists(names)) Files.writeString(names, "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\nida\njon\n".repeat(12));
        return ConfigLoader.load(Files.writeString(dir.resolve("scratch.yaml"),
                SWEEP.replace("DATA", names.toString()).replace("TRIALS", String.valueOf(trials))), List.of());
    }

    private static void sparkSweep(ConfigLoader.Loaded loaded, Path out) throws Exception {
        var data = ExperimentRunner.resolveData(loaded, Catalogue.fromEnvironment(false), line -> {});
        try (SparkTrials spark = new SparkTrials("local[2]", loaded, data, out)) {
            assertTrue(Files.isDirectory(out.resolve(SparkTrials.LOCAL_DIR)), "Spark's scratch under the sweep while it runs");
            new SweepRunner(loaded, out, line -> {}).run(spark);
        }
    }

    /** Every spark-* or blockmgr-* directory anywhere under {@code root}. */
    private static List<Path> sparkLeftovers(Path root) throws Exception {
        try (var all = Files.walk(root)) {
            return all.filter(Files::isDirectory).filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("spark-") || n.startsWith("blockmgr-") || n.startsWith("seqlab-trial-");
            }).toList();
        }
    }

    @Test
    void aSparkSweepAndAResumeAfterAKillLeaveNoScratchBehind() throws Exception {
        Path temp = Files.createDirectories(dir.resolve("system-temp"));
        String systemTemp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", temp.toString());
        try {
            Path out = dir.resolve("sweep");
            sparkSweep(experiment(2), out);
            assertEquals(2, Files.readAllLines(out.resolve("trials.jsonl")).size());
            assertEquals(List.of(), sparkLeftovers(temp), "the system's temp directory");
            assertEquals(List.of(), sparkLeftovers(out), "the sweep's directory after it ended");

            // what a driver killed mid-sweep leaves: Spark's directories in its scratch, a trial's work directory
            Path scratch = out.resolve(SparkTrials.LOCAL_DIR);
            Files.createDirectories(scratch.resolve("blockmgr-0f1e2d3c").resolve("0a"));
            Files.writeString(Files.createDirectories(scratch.resolve("spark-4b5a6978").resolve("userFiles-1")
                    .resolve("seqlab-trial-123")).resolve("half.json"), "{\"half");
            sparkSweep(experiment(3), out);              // the resume: one more trial
            assertEquals(3, Files.readAllLines(out.resolve("trials.jsonl")).size(), "the resumed sweep ran the missing trial");
            assertEquals(List.of(), sparkLeftovers(out), "the killed sweep's scratch went when the next started");
            assertTrue(Files.notExists(scratch));
            assertEquals(List.of(), sparkLeftovers(temp), "the system's temp directory");
        } finally {
            System.setProperty("java.io.tmpdir", systemTemp);
        }
    }
}
