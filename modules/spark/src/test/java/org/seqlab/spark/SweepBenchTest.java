package org.seqlab.spark;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.optim.CoreBudget;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench sweep} on a tiny corpus (its output, not its timings): each side's BLAS threads per
 * trial, the executor estimate from a trial alone on the machine's cores, the two-worker ratio
 * beside the Spark one (last), and nothing left in the temp directory.
 */
@Tag("slow")
class SweepBenchTest {
    @TempDir
    Path dir;

    @Test
    void printsThreadsPerTrialBothRatiosAndLeavesNothing() throws Exception {
        Path corpus = Files.writeString(dir.resolve("names.txt"), "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\nida\njon\n".repeat(12));
        Path temp = Files.createDirectories(dir.resolve("temp"));
        String systemTemp = System.getProperty("java.io.tmpdir");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setProperty("java.io.tmpdir", temp.toString());
        try {
            new SweepBench(corpus, 2, 1, "local[2]", new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        } finally {
            System.setProperty("java.io.tmpdir", systemTemp);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        String text = String.join("\n", lines);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("serial: ") && l.contains(CoreBudget.threadsFor(1) + " BLAS thread(s) per trial")), text);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("local 2 workers: ") && l.contains(CoreBudget.threadsFor(2) + " BLAS thread(s) per trial")), text);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("spark local[2]: ") && l.contains("1 BLAS thread(s) per trial")), text);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("estimate_trials_per_hour_8_executors=")
                && l.contains("executors of " + CoreBudget.CORES + " core(s), one trial each at a time")), text);
        assertTrue(lines.get(lines.size() - 2).matches("local_2workers_vs_serial_trials_per_hour_ratio=\\d+\\.\\d\\d"), text);
        assertTrue(lines.get(lines.size() - 1).matches("spark_local2_vs_serial_trials_per_hour_ratio=\\d+\\.\\d\\d"), text);
        try (var left = Files.list(temp)) {        // (a library's unpacked native code, lz4's, is its own to clean)
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().matches("(spark-|blockmgr-|seqlab-).*")).toList(),
                    "the bench's sweeps and Spark's scratch are gone");
        }
    }
}
