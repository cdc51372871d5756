package org.seqlab.spark;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.experiments.sweep.SweepRunner;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sweeps whose trials run as Spark tasks on local[2]: the same results as local workers, each trial recorded once. */
class SparkSweepTest {
    @TempDir
    Path dir;

    private static final String SWEEP = """
            name: sp
            data: {source: DATA}
            models:
              - {family: handrolled, name: m, cell: rnn, hidden: 12}
            training: {epochs: 2, batch_size: 8, seq_len: 16, lr: 0.01}
            sweep:
              generator: random
              trials: 3
              workers: 2
              seed: 7
              parameters:
                training.lr: {type: continuous, min: 0.003, max: 0.03, log: true}
            """;

    @AfterEach
    void noFault() {
        System.clearProperty(TrialTask.FAIL_ONCE);
    }

    private ConfigLoader.Loaded experiment() throws Exception {
        Path names = Files.writeString(dir.resolve("names.txt"), "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\nida\njon\n".repeat(12));
        return ConfigLoader.load(Files.writeString(dir.resolve("sp.yaml"), SWEEP.replace("DATA", names.toString())), List.of());
    }

    private static Map<Integer, String> byTrial(Path out) throws Exception {
        Map<Integer, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("trials.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode t = Json.MAPPER.readTree(line);
            int n = t.get("trial").asInt();
            assertTrue(m.put(n, t.get("status").asText() + " " + t.get("params") + " " + t.get("metrics").get("valid_loss")) == null,
                    "one line per trial: " + line);
        }
        return m;
    }

    private static Path sparkSweep(ConfigLoader.Loaded loaded, Path out, String master) throws Exception {
        var data = ExperimentRunner.resolveData(loaded, Catalogue.fromEnvironment(false), line -> {});
        List<String> console = new ArrayList<>();
        try (SparkTrials spark = new SparkTrials(master, loaded, data, out)) {
            new SweepRunner(loaded, out, console::add).run(spark);
        }
        assertTrue(console.get(0).contains("on Spark " + master), console.toString());
        return out;
    }

    /** Trials on Spark give the local sweep's results (same plan, seeds and data shipped as bytes), with their files under trials/. */
    @Test
    void aSparkSweepMatchesALocalOne() throws Exception {
        ConfigLoader.Loaded loaded = experiment();
        Path local = dir.resolve("local");
        new SweepRunner(loaded, local, line -> {}).run();
        Path spark = sparkSweep(loaded, dir.resolve("spark"), "local[2]");
        assertEquals(byTrial(local), byTrial(spark));
        for (int t = 0; t < 3; t++) {
            Path trial = spark.resolve(String.format("trials/trial-%03d", t));
            assertTrue(Files.size(trial.resolve("report.html")) > 0 && Files.exists(trial.resolve("results.json")), trial.toString());
            assertTrue(Files.notExists(trial.resolve("checkpoints")), "checkpoints stay on the executor");
        }
        assertTrue(Files.exists(spark.resolve("best.yaml")) && Files.exists(spark.resolve("sweep.html")));
    }

    /**
     * ASHA on Spark: the driver keeps the rungs and each task asks it at every validation, so a
     * trial stops where a local sweep stops it. One at a time on both sides (local[1] runs the jobs
     * in the order they were submitted; one local worker) makes the order, and so the verdicts,
     * the same: identical records, the bad trial stopped at rung 0.
     */
    @Test
    void ashaOnSparkStopsTrialsAsALocalSweepDoes() throws Exception {
        Path names = Files.writeString(dir.resolve("names.txt"), "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\nida\njon\n".repeat(12));
        ConfigLoader.Loaded loaded = ConfigLoader.load(Files.writeString(dir.resolve("asha.yaml"), SWEEP.replace("DATA", names.toString())
                .replace("generator: random", "generator: grid").replace("workers: 2", "workers: 1\n  asha: {min_resource: 1, reduction_factor: 2}")
                .replace("epochs: 2", "epochs: 3")
                .replace("{type: continuous, min: 0.003, max: 0.03, log: true}", "{type: discrete, values: [0.02, 0.02, 0.000001]}")), List.of());
        Path local = dir.resolve("asha-local");
        new SweepRunner(loaded, local, line -> {}).run();
        Path spark = sparkSweep(loaded, dir.resolve("asha-spark"), "local[1]");
        Map<Integer, String> trials = byTrial(spark);
        assertEquals(byTrial(local), trials);
        assertTrue(trials.get(0).startsWith("ok ") && trials.get(1).startsWith("ok ") && trials.get(2).startsWith("stopped "), trials.toString());
        JsonNode stopped = Json.MAPPER.readTree(Files.readAllLines(spark.resolve("trials.jsonl")).stream()
                .filter(l -> l.contains("\"trial\":2")).findFirst().orElseThrow());
        assertTrue(stopped.get("error").asText().startsWith("stopped by ASHA at rung 0 (1 epochs)"), stopped.toString());
    }

    /**
     * Genetic search on Spark: a candidate drawn whenever one of `workers` slots frees, each trial
     * recorded once. Four trials: with the old population of 2, Arbiter's parent selection looped for ever.
     */
    @Test
    @org.junit.jupiter.api.Timeout(180)
    void aGeneticSearchRunsOnSpark() throws Exception {
        Path names = Files.writeString(dir.resolve("names.txt"), "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\nida\njon\n".repeat(12));
        ConfigLoader.Loaded loaded = ConfigLoader.load(Files.writeString(dir.resolve("gen.yaml"), SWEEP.replace("DATA", names.toString())
                .replace("generator: random", "generator: genetic").replace("trials: 3", "trials: 4")), List.of());
        Path out = sparkSweep(loaded, dir.resolve("genetic"), "local[2]");
        assertEquals(List.of(0, 1, 2, 3), new ArrayList<>(byTrial(out).keySet()));
    }

    /**
     * A task that fails once: with one attempt (local[2]) the sweep stops and the trial is not
     * recorded; with two (local[2,2]) Spark runs it again and it is recorded once, beside the others.
     */
    @Test
    void aTaskThatFailsOnceIsRetriedAndRecordedOnce() throws Exception {
        ConfigLoader.Loaded loaded = experiment();
        System.setProperty(TrialTask.FAIL_ONCE, "1");
        Path out = dir.resolve("retried");
        java.io.IOException failed = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> sparkSweep(loaded, out, "local[2]"));
        assertTrue(failed.getMessage().contains("injected fault"), failed.getMessage());
        assertEquals(List.of(0, 2), new ArrayList<>(byTrial(out).keySet()), "the others finished and were recorded");
        sparkSweep(loaded, out, "local[2,2]");
        Map<Integer, String> trials = byTrial(out);
        assertEquals(List.of(0, 1, 2), new ArrayList<>(trials.keySet()));
        for (String t : trials.values()) assertTrue(t.startsWith("ok "), trials.toString());
    }

    /**
     * The driver killed with SIGKILL while trials run on Spark: the same command resumes, running
     * exactly the trials trials.jsonl does not list (none twice, none lost).
     */
    @Test
    void aDriverKilledWithSigkillResumes() throws Exception {
        Path names = Files.writeString(dir.resolve("names.txt"), "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\nida\njon\n".repeat(12));
        Path file = Files.writeString(dir.resolve("kill.yaml"), SWEEP.replace("DATA", names.toString()).replace("trials: 3", "trials: 6")
                .replace("epochs: 2", "epochs: 4"));
        Path out = dir.resolve("killed");
        Path log = out.resolve("trials.jsonl");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin));
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens")).toList());
        Path childTemp = Files.createDirectories(dir.resolve("driver-temp"));      // the killed driver's system temp directory
        cmd.addAll(List.of("-Djava.io.tmpdir=" + childTemp, "-cp", System.getProperty("java.class.path"), org.seqlab.experiments.cli.Main.class.getName(),
                "sweep", file.toString(), "--out", out.toString(), "--spark", "local[2]"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < until && (!Files.exists(log) || Files.readAllLines(log).size() < 2)) Thread.sleep(50);
        p.destroyForcibly();                               // SIGKILL: no shutdown hooks, no cleanup
        p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        int before = byTrial(out).size();
        assertTrue(before >= 2 && before < 6, "killed half way: " + before + " trials finished; " + Files.readString(dir.resolve("killed.log")));
        assertTrue(sparkDirectories(out.resolve(SparkTrials.LOCAL_DIR)).size() >= 2, "the killed driver left Spark's scratch in the sweep's directory");
        assertEquals(List.of(), sparkDirectories(childTemp), "and none in the system's temp directory");
        StringBuilder console = new StringBuilder();
        ConfigLoader.Loaded loaded = ConfigLoader.load(file, List.of());
        var data = ExperimentRunner.resolveData(loaded, Catalogue.fromEnvironment(false), line -> {});
        try (SparkTrials spark = new SparkTrials("local[2]", loaded, data, out)) {
            new SweepRunner(loaded, out, line -> console.append(line).append('\n')).run(spark);
        }
        assertTrue(console.toString().contains(before + " finished earlier, " + (6 - before) + " to run"), console.toString());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), new ArrayList<>(byTrial(out).keySet()), "every planned trial, each once");
        assertEquals(List.of(), sparkDirectories(out), "the resume removed what the kill left, and its own");
    }

    /** Spark's scratch directories (spark-*, blockmgr-*) anywhere under {@code root}. */
    private static List<Path> sparkDirectories(Path root) throws Exception {
        if (Files.notExists(root)) return List.of();
        try (var all = Files.walk(root)) {
            return all.filter(Files::isDirectory).filter(p -> p.getFileName().toString().matches("(spark|blockmgr)-[0-9a-f-]+")).toList();
        }
    }

    /**
     * A real standalone cluster from the Maven jars: a master and a worker in this JVM, the driver
     * (`seqlab sweep --spark spark://...`) in another, and executors in processes the worker starts,
     * which reach the driver's stopping rule over the network. The worker builds an executor's class
     * path from a Spark home's jars/ (here empty) and spark.executor.extraClassPath (this class path).
     */
    @Test
    @org.junit.jupiter.api.Timeout(300)
    void aStandaloneMasterAndWorkerRunASweepWithASHA() throws Exception {
        Path home = Files.createDirectories(dir.resolve("spark-home/jars"));
        Files.createDirectories(dir.resolve("spark-home/launcher/target/scala-2.13"));
        System.setProperty("spark.testing", "true");               // the worker takes its Spark home from spark.test.home
        System.setProperty("spark.test.home", home.getParent().toString());
        org.apache.spark.rpc.RpcEnv master = null, worker = null;
        try {
            org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf(false);
            var started = org.apache.spark.deploy.master.Master.startRpcEnvAndEndpoint("127.0.0.1", 0, 0, conf);
            master = started._1();
            String url = "spark://127.0.0.1:" + master.address().port();     // (_2 is the web UI's port)
            worker = org.apache.spark.deploy.worker.Worker.startRpcEnvAndEndpoint("127.0.0.1", 0, 0, 2, 2048, new String[]{url},
                    Files.createDirectories(dir.resolve("worker")).toString(), scala.Option.empty(), new org.apache.spark.SparkConf(false), scala.Option.empty());

            Path names = Files.writeString(dir.resolve("names.txt"), "anna\nbert\ncarla\ndora\nemil\nfrida\ngustav\nhanna\nida\njon\n".repeat(12));
            Path file = Files.writeString(dir.resolve("cluster.yaml"), SWEEP.replace("DATA", names.toString())
                    .replace("workers: 2", "workers: 2\n  asha: {min_resource: 1, reduction_factor: 2}"));
            Path out = dir.resolve("cluster");
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(javaBin));
            cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("--add-opens")).toList());
            cmd.addAll(List.of("-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1", "-Dspark.executor.memory=1g",
                    "-Dspark.executor.extraClassPath=" + System.getProperty("java.class.path"),
                    "-cp", System.getProperty("java.class.path"), org.seqlab.experiments.cli.Main.class.getName(),
                    "sweep", file.toString(), "--out", out.toString(), "--spark", url));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("cluster.log").toFile()).start();
            assertTrue(p.waitFor(240, java.util.concurrent.TimeUnit.SECONDS), "the sweep ends");
            String log = Files.readString(dir.resolve("cluster.log"));
            assertEquals(0, p.exitValue(), log);
            assertTrue(log.contains("on Spark " + url), log);
            Map<Integer, String> trials = byTrial(out);
            assertEquals(List.of(0, 1, 2), new ArrayList<>(trials.keySet()), log);
            for (String t : trials.values()) assertTrue(t.startsWith("ok ") || t.startsWith("stopped "), trials.toString());
            assertTrue(Files.exists(out.resolve("trials/trial-000/report.html")) && Files.exists(out.resolve("best.yaml")));
            Path executors = dir.resolve("worker");
            try (var apps = Files.list(executors)) {
                assertTrue(apps.anyMatch(a -> a.getFileName().toString().startsWith("app-")), "executors ran in the worker's processes");
            }
        } finally {
            if (worker != null) worker.shutdown();
            if (master != null) master.shutdown();
            System.clearProperty("spark.testing");
            System.clearProperty("spark.test.home");
        }
    }

    /** On a cluster, executors are sent seqlab's jars (with DL4J's) but not Spark's own, which the cluster has. */
    @Test
    void aClusterIsSentSeqlabsJarsButNotSparks() throws Exception {
        String spark = Path.of(org.apache.spark.SparkConf.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String seqlab = Path.of(SweepRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String nd4j = Path.of(org.nd4j.linalg.factory.Nd4j.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String old = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", String.join(java.io.File.pathSeparator, spark, seqlab, nd4j));
            List<String> jars = List.of(SparkTrials.seqlabJars());
            assertTrue(!jars.contains(spark) && jars.contains(nd4j), jars.toString());
            assertTrue(!seqlab.endsWith(".jar") || jars.contains(seqlab), "seqlab's own jar when it is one: " + jars);
        } finally {
            System.setProperty("java.class.path", old);
        }
    }

    /**
     * A task is the whole trial: it runs from its own bytes (the data file deleted here) into a
     * temporary directory, brings checkpoints back only when asked, and runs nothing once the
     * sweep's max_seconds have passed (no record: the trial is left for a later run).
     */
    @Test
    void aTaskRunsFromItsOwnBytesAndKeepsTheBudget() throws Exception {
        ConfigLoader.Loaded loaded = experiment();
        Path names = Path.of(loaded.config().data().source());
        byte[] zip = Zips.zip(names, rel -> true);
        String json = Json.MAPPER.writeValueAsString(loaded.tree());
        Files.delete(names);
        TrialTask.Outcome late = new TrialTask(json, "sp.yaml", zip, "names.txt", 0, "{\"training.lr\": 0.01}", 1, 0L, false, false).run();
        assertTrue(late.trialJson() == null && late.files() == null, "past the deadline: nothing run, nothing sent");
        TrialTask.Outcome o = new TrialTask(json, "sp.yaml", zip, "names.txt", 0, "{\"training.lr\": 0.01}", 1, Long.MAX_VALUE, true, false).run();
        assertEquals("ok", Json.MAPPER.readTree(o.trialJson()).get("status").asText(), o.trialJson());
        Path back = dir.resolve("back");
        Zips.unzip(o.files(), back);
        assertTrue(Files.exists(back.resolve("report.html")) && Files.isDirectory(back.resolve("checkpoints")), "checkpoints when asked");
    }
}
