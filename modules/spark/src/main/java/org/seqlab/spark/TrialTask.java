package org.seqlab.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Json;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ConfigLocations;
import org.seqlab.experiments.sweep.SweepRunner;
import org.seqlab.experiments.sweep.TrialLog;
import org.seqlab.optim.CoreBudget;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One trial as a Spark task: everything an executor needs without a shared disk (the experiment as
 * JSON, the bytes of a local data file or directory, the trial's values), and what comes back (its
 * record and its files, checkpoints left out). The executor works in a temporary directory it
 * deletes afterwards; the driver alone writes the sweep's directory.
 *
 * @param experimentJson the experiment tree (sweep section included)
 * @param experimentFile the experiment file's name, for messages
 * @param dataZip        the local data file or directory as zip bytes, or null (a built-in generator,
 *                       or a registry name the executor resolves into its own cache)
 * @param dataName       the data file's or directory's name inside {@code dataZip}
 * @param deadlineMillis sweep.max_seconds as a wall-clock time: a task that starts after it runs nothing
 *                       and sends back no record, so the trial is left for a later run (Long.MAX_VALUE: none)
 * @param checkpoints    send the trial's checkpoints back too (sweep.spark.checkpoints)
 * @param judged         the sweep has a stopping rule: ask the driver for its verdict at each validation
 */
record TrialTask(String experimentJson, String experimentFile, byte[] dataZip, String dataName, int trial,
                 String paramsJson, int of, long deadlineMillis, boolean checkpoints, boolean judged) implements Serializable {

    /** Fault injection for tests: the trial whose first attempt throws (a system property of the executor's JVM). */
    static final String FAIL_ONCE = "seqlab.spark.failOnce";

    /**
     * What comes back to the driver: the trial's record (a trials.jsonl line) and its files as zip
     * bytes, no record when it did not start; and when the task started and ended (the executor's
     * clock), for the overheads {@code bench sweep} reports.
     */
    record Outcome(String trialJson, byte[] files, long startedMillis, long endedMillis) implements Serializable {
        Outcome(String trialJson, byte[] files, long startedMillis) {
            this(trialJson, files, startedMillis, System.currentTimeMillis());
        }
    }

    Outcome run() {
        long started = System.currentTimeMillis();
        TaskContext task = TaskContext.get();
        if (String.valueOf(trial).equals(System.getProperty(FAIL_ONCE)) && task != null && task.attemptNumber() == 0)
            throw new IllegalStateException("injected fault (" + FAIL_ONCE + ") in the first attempt of trial " + trial);
        if (System.currentTimeMillis() > deadlineMillis) return new Outcome(null, null, started);    // over the sweep's budget
        Path work = null;
        // the task's cores: spark.task.cpus BLAS threads, set once while tasks run beside it (CoreBudget)
        try (CoreBudget.Share cores = CoreBudget.withThreads(task != null ? Math.max(1, task.cpus()) : 1)) {
            // under the executor's Spark scratch (spark.local.dir) when there is one: removed with it, even after a kill
            work = task != null ? Files.createTempDirectory(Path.of(SparkFiles.getRootDirectory()), "seqlab-trial-")
                    : Files.createTempDirectory("seqlab-trial-");
            ObjectNode tree = (ObjectNode) Json.MAPPER.readTree(experimentJson);
            if (dataZip != null) {
                Path data = work.resolve("data");
                Zips.unzip(dataZip, data);
                ((ObjectNode) tree.get("data")).put("source", data.resolve(dataName).toString());
            }
            ConfigLocations where = new ConfigLocations(experimentFile);
            ConfigLoader.Loaded loaded = new ConfigLoader.Loaded(ConfigLoader.bind(tree, where), Path.of(experimentFile), where, tree);
            Path sweepDir = work.resolve("sweep");
            SweepRunner runner = new SweepRunner(loaded, sweepDir, line -> {}, Catalogue.fromEnvironment(false));
            @SuppressWarnings("unchecked")
            Map<String, Object> params = Json.MAPPER.readValue(paramsJson, Map.class);
            TrialLog.Trial t = runner.runOne(trial, params, of, judged ? RuleEndpoint.fromExecutor() : null);
            byte[] files = t.out() == null ? null
                    : Zips.zip(sweepDir.resolve(t.out()), rel -> checkpoints || !rel.startsWith("checkpoints"));
            return new Outcome(Json.MAPPER.writeValueAsString(t), files, started);   // read back by the driver, which writes the line
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (work != null) try {
                AtomicFiles.deleteTree(work);
            } catch (IOException ignored) {
                // a temporary directory: the system cleans it
            }
        }
    }
}
