package org.seqlab.spark;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.MemoryBudget;
import org.seqlab.core.MemoryUse;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.experiments.sweep.SweepRunner;
import org.seqlab.experiments.sweep.TrialLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On Spark local[2] the executor is this JVM, with two tasks at once: a trial over its memory
 * limit ends failed, naming memory and its limit, and the other two finish ok. The executor and
 * the driver stay up (no System.exit below the command line), so the sweep ends with all three recorded.
 */
class SparkMemoryLimitTest {
    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(MemoryBudget.PROPERTY);
    }

    @Test
    void aTrialOverItsMemoryLimitFailsAloneOnSpark() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(MemoryUse.measurable(), "this system does not report resident memory");
        Path names = Files.writeString(dir.resolve("names.txt"), "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\nida\njon\n".repeat(12));
        ConfigLoader.Loaded loaded = ConfigLoader.load(Files.writeString(dir.resolve("mem.yaml"), """
                name: mem
                data: {source: DATA}
                models:
                  - {family: handrolled, name: m, cell: lstm, hidden: 8}
                training: {epochs: 2, batch_size: 4, seq_len: 12, lr: 0.01}
                sweep:
                  generator: grid
                  trials: 3
                  parameters:
                    models[0].hidden: {type: discrete, values: [8, 3072, 12]}
                """.replace("DATA", names.toString())), List.of());
        Nd4j.create(8, 8).addi(1);                        // ND4J's native side loaded before the baseline is read
        System.gc();
        // what this JVM uses outside the heap plus 200 MB: the small trials fit, the 3,072-unit LSTM (~600 MB) cannot
        System.setProperty(MemoryBudget.PROPERTY, String.valueOf(MemoryUse.now().offHeapBytes() + (200L << 20)));
        Path out = dir.resolve("sweep");
        var data = ExperimentRunner.resolveData(loaded, Catalogue.fromEnvironment(false), line -> {});
        List<String> console = new ArrayList<>();
        List<TrialLog.Trial> trials;
        try (SparkTrials spark = new SparkTrials("local[2]", loaded, data, out)) {
            trials = new SweepRunner(loaded, out, console::add).run(spark);
        }
        Map<Integer, TrialLog.Trial> byTrial = new TreeMap<>();
        for (TrialLog.Trial t : trials) byTrial.put(t.trial(), t);
        assertEquals(List.of(0, 1, 2), new ArrayList<>(byTrial.keySet()), console.toString());
        TrialLog.Trial huge = byTrial.get(1);
        assertEquals("failed", huge.status(), huge.toString());
        assertTrue(huge.error().startsWith("memory: ") && huge.error().contains("over the budget of"), huge.error());
        assertEquals("ok", byTrial.get(0).status(), byTrial.get(0).toString());
        assertEquals("ok", byTrial.get(2).status(), byTrial.get(2).toString());
    }
}
