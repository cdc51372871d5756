package org.seqlab.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Json;
import org.seqlab.data.DataSources;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.sweep.StoppingRule;
import org.seqlab.experiments.sweep.TrialLog;
import org.seqlab.experiments.sweep.TrialRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A sweep's trials as Spark tasks: one job of one task per trial, all submitted at once, so the
 * driver gets each result as it finishes (toLocalIterator would run them one at a time). Spark owns
 * placement and retries (a task that fails is run again, up to spark.task.maxFailures; in local mode
 * {@code local[N,F]}); the driver writes a trial's files and then its one trials.jsonl line, so a
 * retried task never leaves a second line and a killed driver resumes like a local sweep.
 */
public final class SparkTrials implements TrialRunner {
    private final JavaSparkContext sc;
    private final String master;
    private final String experimentJson, experimentFile, dataName;
    private final byte[] dataZip;
    private final Path out;
    private final long deadlineMillis;
    private final boolean checkpoints;
    /** The directory under the sweep's own that holds Spark's scratch while it runs. */
    public static final String LOCAL_DIR = "spark-local";
    /** Cores (and so BLAS threads) each trial's task gets. */
    static final int TASK_CPUS = 1;

    private final Path localDir;
    private final ExecutorService waiting = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "seqlab-spark-trial");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param data the experiment's data as the driver resolved it: a local file or directory is
     *             shipped with each task; a registry name is resolved by each executor into its own
     *             cache; a built-in generator needs nothing
     */
    public SparkTrials(String master, ConfigLoader.Loaded loaded, DataSources.Resolved data, Path out) throws IOException {
        this.master = master;
        this.out = out;
        var sweep = loaded.config().sweep();
        this.deadlineMillis = sweep.maxSeconds() > 0 ? System.currentTimeMillis() + (long) (sweep.maxSeconds() * 1000) : Long.MAX_VALUE;
        this.checkpoints = sweep.spark() != null && sweep.spark().checkpoints();
        this.experimentJson = Json.MAPPER.writeValueAsString(loaded.tree());
        this.experimentFile = loaded.file().toString();
        boolean ship = data.path() != null && data.registryName() == null;
        this.dataZip = ship ? Zips.zip(data.path(), rel -> true) : null;
        this.dataName = ship ? data.path().getFileName().toString() : null;
        // Spark's scratch (its spark-* and blockmgr-* directories) under the sweep's own directory, not
        // the system's temp: removed when the sweep ends, and what a killed driver left, when the next starts
        this.localDir = out.resolve(LOCAL_DIR);
        AtomicFiles.deleteTree(localDir);
        java.nio.file.Files.createDirectories(localDir);
        SparkConf conf = new SparkConf().setMaster(master).setAppName("seqlab sweep " + loaded.config().name())
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
                .set("spark.local.dir", localDir.toAbsolutePath().toString())
                // each task a trial on spark.task.cpus BLAS threads (TrialTask's CoreBudget share), ND4J's
                // element-wise ops single-threaded (2.5-3x faster than two threads here), glibc as the launcher sets it
                .set("spark.task.cpus", String.valueOf(TASK_CPUS)).set("spark.executorEnv.OMP_NUM_THREADS", "1")
                .set("spark.executorEnv.MALLOC_MMAP_THRESHOLD_", "262144").set("spark.executorEnv.MALLOC_ARENA_MAX", "2");
        if (!master.startsWith("local")) conf.setJars(seqlabJars());
        // local mode: everything in this JVM, so the loopback address, whatever the host name resolves to (CI sandboxes)
        else conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        org.seqlab.experiments.sweep.SparkMaster.reachable(master);
        this.sc = new JavaSparkContext(conf);
        sc.setLogLevel("ERROR");
    }

    /** Spark stopped its context by itself (e.g. the master never took the application): one line instead of its trace. */
    private org.seqlab.core.UserException stopped() {
        return new org.seqlab.core.UserException("the Spark master " + master + " did not run the sweep (Spark stopped the connection to it): "
                + "check that it is a Spark master with workers up and enough free cores, and see its log");
    }

    /**
     * The jars a cluster's executors need that its Spark does not have: this class path without
     * Spark's own directory (seqlab, DL4J/ND4J with its native libraries, Jackson, ...).
     */
    static String[] seqlabJars() {
        Path sparkDir;
        try {
            sparkDir = Path.of(SparkConf.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            sparkDir = null;
        }
        List<String> jars = new java.util.ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && java.nio.file.Files.isRegularFile(p) && (sparkDir == null || !sparkDir.equals(p.toAbsolutePath().getParent())))
                jars.add(p.toAbsolutePath().toString());
        }
        return jars.toArray(String[]::new);
    }

    /** Whether the driver serves the sweep's stopping rule to the tasks (from the first trial that has one). */
    private boolean serving;

    @Override
    public CompletableFuture<TrialLog.Trial> submit(int trial, Map<String, Object> params, int of, StoppingRule.Judge judge) {
        synchronized (this) {
            if (judge != null && !serving) {
                RuleEndpoint.serve(sc.sc().env(), judge);
                serving = true;
            }
        }
        String paramsJson;
        try {
            paramsJson = Json.MAPPER.writeValueAsString(params);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TrialTask task = new TrialTask(experimentJson, experimentFile, dataZip, dataName, trial, paramsJson, of, deadlineMillis, checkpoints, judge != null);
        long submitted = System.currentTimeMillis();
        JavaFutureAction<List<TrialTask.Outcome>> job;
        try {
            job = sc.parallelize(List.of(task), 1).map(TrialTask::run).collectAsync();
        } catch (IllegalStateException e) {
            if (sc.sc().isStopped()) throw stopped();
            throw e;
        }
        int shipped = experimentJson.length() + paramsJson.length() + (dataZip == null ? 0 : dataZip.length);
        return CompletableFuture.supplyAsync(() -> receive(job, submitted, shipped), waiting);
    }

    /**
     * When one trial's task was submitted, started and ended, when the driver had its result and
     * had written its files (milliseconds), what the task carried and brought back (bytes), and the
     * trial's own time (its record's seconds).
     */
    public record Timing(int trial, long submitted, long started, long ended, long received, long written,
                         int bytesShipped, int bytesReturned, double trialSeconds) {}

    private final List<Timing> timings = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /** Every finished trial's timing, in the order they finished. */
    public List<Timing> timings() {
        synchronized (timings) {
            return List.copyOf(timings);
        }
    }

    /** Waits for a trial's job and writes what it sent back under the sweep's directory. */
    private TrialLog.Trial receive(JavaFutureAction<List<TrialTask.Outcome>> job, long submitted, int shipped) {
        try {
            TrialTask.Outcome o = job.get().get(0);
            long received = System.currentTimeMillis();
            if (o.trialJson() == null) return null;                  // started after max_seconds: left for a later run
            TrialLog.Trial t = Json.MAPPER.readValue(o.trialJson(), TrialLog.Trial.class);
            if (t.out() != null && o.files() != null) {
                Path dir = out.resolve(t.out());
                Path staging = AtomicFiles.stagingDirectory(dir);
                try {
                    Zips.unzip(o.files(), staging);
                    AtomicFiles.replaceDirectory(staging, dir);
                } finally {
                    AtomicFiles.deleteTree(staging);
                }
            }
            timings.add(new Timing(t.trial(), submitted, o.startedMillis(), o.endedMillis(), received, System.currentTimeMillis(),
                    shipped, o.files() == null ? 0 : o.files().length, t.seconds() == null ? 0 : t.seconds()));
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ExecutionException e) {
            if (sc.sc().isStopped()) throw stopped();
            throw new CompletionException("Spark could not run the trial (after its retries): " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    @Override
    public String where() {
        return "Spark " + master + " (one task per trial, " + TASK_CPUS + " BLAS thread(s) each: spark.task.cpus; each trial's memory limit "
                + org.seqlab.core.MemoryBudget.fromEnvironment().source() + " ÷ trials in flight on its executor)";
    }

    @Override
    public void close() {
        waiting.shutdownNow();
        try {
            sc.stop();
        } finally {
            try {
                AtomicFiles.deleteTree(localDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove Spark's scratch directory " + localDir + ": " + e.getMessage(), e);
            }
        }
    }
}
