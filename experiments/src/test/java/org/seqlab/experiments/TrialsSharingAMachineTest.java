package org.seqlab.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.Json;
import org.seqlab.core.MemoryBudget;
import org.seqlab.core.MemoryUse;
import org.seqlab.experiments.sweep.SweepRunner;
import org.seqlab.experiments.sweep.TrialLog;
import org.seqlab.optim.CoreBudget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trials that share a JVM: each gets its part of the cores and of the memory budget, one trial's
 * failure (memory, a bug) stays its own, and a bug is reported as one (its stack trace on disk, exit 1).
 */
class TrialsSharingAMachineTest {
    @TempDir
    Path dir;

    private static final String SWEEP = """
            name: share
            data: {source: builtin:markov-names, names: 200}
            models:
              - {family: handrolled, name: m, cell: lstm, hidden: 8}
            training: {epochs: 2, batch_size: 4, seq_len: 12, lr: 0.01}
            sweep:
              generator: grid
              trials: 3
              workers: WORKERS
              parameters:
                models[0].hidden: {type: discrete, values: [8, HUGE, 12]}
            """;

    @AfterEach
    void clear() {
        System.clearProperty(MemoryBudget.PROPERTY);
        System.clearProperty(ExperimentRunner.INJECT_FAULT);
    }

    private ConfigLoader.Loaded sweep(String name, int workers, int huge) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve(name + ".yaml"),
                SWEEP.replace("WORKERS", String.valueOf(workers)).replace("HUGE", String.valueOf(huge))), List.of());
    }

    /** Two trials at once: each trains on cores ÷ 2 BLAS threads (its results say so), and the global setting is as before. */
    @Test
    void twoConcurrentTrialsEachGetHalfTheCoresAndLeaveTheSettingAsItWas() throws Exception {
        int before = Nd4j.factory().blas().getMaxThreads();
        List<String> console = new ArrayList<>();
        Path out = dir.resolve("threads");
        List<TrialLog.Trial> trials = new SweepRunner(sweep("threads", 2, 16), out, console::add).run();
        assertEquals(3, trials.size());
        String each = CoreBudget.threadsFor(2) + " BLAS thread(s) each";
        assertTrue(console.get(0).contains(each), console.get(0));
        assertTrue(Files.readString(out.resolve("sweep.md")).contains(each), "the report says what each trial got");
        for (TrialLog.Trial t : trials) {
            assertEquals("ok", t.status(), t.toString());
            JsonNode env = Json.MAPPER.readTree(out.resolve(t.out()).resolve("results.json").toFile()).get("environment");
            assertTrue(env.toString().contains("blas threads " + CoreBudget.threadsFor(2)), env.toString());
        }
        assertEquals(before, Nd4j.factory().blas().getMaxThreads(), "the global BLAS setting after the sweep");
    }

    /**
     * A memory limit stops the trial over it, not the process: in a sweep of three (two at once),
     * the one with a huge model ends failed with a message naming memory and its limit, and the
     * other two finish ok. The budget is what this JVM already uses outside the heap plus 200 MB:
     * the small trials stay within their part, the huge one (an LSTM of 3,072 units: 150 MB of
     * weights, as much again for gradients and each of Adam's moments) cannot.
     */
    @Test
    void aTrialOverItsMemoryLimitFailsAloneAndTheOthersFinish() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(MemoryUse.measurable(), "this system does not report resident memory");
        Nd4j.create(8, 8).addi(1);                        // ND4J's native side loaded before the baseline is read
        System.gc();
        long used = MemoryUse.now().offHeapBytes();
        System.setProperty(MemoryBudget.PROPERTY, String.valueOf(used + (200L << 20)));
        List<String> console = new ArrayList<>();
        List<TrialLog.Trial> trials = new SweepRunner(sweep("memory", 2, 3072), dir.resolve("memory"), console::add).run();
        Map<Integer, TrialLog.Trial> byTrial = new TreeMap<>();
        for (TrialLog.Trial t : trials) byTrial.put(t.trial(), t);
        assertEquals(List.of(0, 1, 2), new ArrayList<>(byTrial.keySet()), console.toString());
        TrialLog.Trial huge = byTrial.get(1);
        assertEquals(3072, ((Number) huge.params().get("models[0].hidden")).intValue());
        assertEquals("failed", huge.status(), huge.toString());
        assertTrue(huge.error().startsWith("memory: ") && huge.error().contains("over the budget of")
                && huge.error().contains(MemoryBudget.PROPERTY), huge.error());
        assertEquals(null, huge.log(), "running out of memory is no bug");
        assertEquals("ok", byTrial.get(0).status(), byTrial.get(0).toString());
        assertEquals("ok", byTrial.get(2).status(), byTrial.get(2).toString());
        assertTrue(console.stream().anyMatch(l -> l.contains("failed: memory: ")), console.toString());
    }

    /**
     * A NullPointerException in one model of two is a bug, not a result: exit 1, its stack trace in
     * runs/<model>-seed<s>.log (named on the console), and the report's row says failed, with the file.
     */
    @Test
    void anInternalErrorInOneModelIsLoggedReportedAndExitsOne() throws Exception {
        Path yaml = Files.writeString(dir.resolve("two.yaml"), """
                name: two
                data: {source: builtin:markov-names, names: 200}
                models:
                  - {family: handrolled, name: fine, hidden: 8}
                  - {family: handrolled, name: buggy, hidden: 8}
                training: {epochs: 1, batch_size: 4, seq_len: 12, lr: 0.01}
                """);
        System.setProperty(ExperimentRunner.INJECT_FAULT, "buggy");
        Path out = dir.resolve("two");
        CliRun r = CliRun.of("run", yaml.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.err() + r.out());
        Path log = out.resolve("runs").resolve("buggy-seed" + seedOf(out) + ".log");
        assertTrue(Files.isRegularFile(log), "the stack trace's file: " + r.out());
        String trace = Files.readString(log);
        assertTrue(trace.contains("java.lang.NullPointerException") && trace.contains("\tat org.seqlab."), trace);
        assertTrue(r.out().contains("buggy: internal error: java.lang.NullPointerException") && r.out().contains(log.toString()), r.out());
        assertTrue(r.err().contains("internal error") && r.err().contains("buggy-seed"), r.err());
        String row = Files.readString(out.resolve("report.md")).lines()
                .filter(l -> l.contains("buggy") && l.contains("failed")).findFirst().orElse("");
        assertTrue(row.contains("internal error") && row.contains("runs/buggy-seed"), "the report's row: " + row);
        JsonNode results = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertEquals("ok", results.get("runs").get(0).get("status").asText(), "the other model is a result");
        assertEquals("failed", results.get("runs").get(1).get("status").asText());
        assertFalse(Files.exists(out.resolve("runs").resolve("buggy-seed" + seedOf(out) + ".json")), "a bug's run is no result to reuse");
    }

    /** A bug in a sweep's trial: the sweep goes on with the others, names the file, and exits 1. */
    @Test
    void anInternalErrorInATrialMakesTheSweepExitOne() throws Exception {
        Path yaml = Files.writeString(dir.resolve("bug.yaml"), SWEEP.replace("WORKERS", "1").replace("HUGE", "16")
                .replace("name: m,", "name: buggy,").replace("trials: 3", "trials: 2"));
        System.setProperty(ExperimentRunner.INJECT_FAULT, "buggy");
        Path out = dir.resolve("bug");
        CliRun r = CliRun.of("sweep", yaml.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("trial(s) failed with an internal error") && r.err().contains("trial-000/runs/buggy-seed"), r.err());
        List<String> lines = Files.readAllLines(out.resolve("trials.jsonl"));
        assertEquals(2, lines.size(), "every trial ran and was recorded");
        for (String l : lines) {
            JsonNode t = Json.MAPPER.readTree(l);
            assertEquals("failed", t.get("status").asText());
            assertTrue(Files.isRegularFile(out.resolve(t.get("log").asText())), l);
        }
    }

    private static long seedOf(Path out) throws Exception {
        return Json.MAPPER.readTree(out.resolve("results.json").toFile()).get("runs").get(0).get("seed").asLong();
    }
}
