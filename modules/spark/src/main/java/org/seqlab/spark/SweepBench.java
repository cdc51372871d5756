package org.seqlab.spark;

import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.experiments.bench.BenchMachine;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.sweep.SweepRunner;
import org.seqlab.experiments.sweep.TrialLog;
import org.seqlab.optim.CoreBudget;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * {@code seqlab bench sweep}: one sweep of small hand-rolled LSTMs run three times in this JVM, one
 * after the other: on one local worker (every core's BLAS thread for the one trial), on two (the
 * cores split between them, as {@link org.seqlab.optim.CoreBudget} does), then as Spark tasks
 * ({@code local[2]} by default, each task on spark.task.cpus threads). Prints each side's trials
 * per hour and BLAS threads per trial, the Spark tasks' measured overheads (launch, the task's own
 * work beside training, result return, the driver's writing), an estimate for larger clusters from
 * them, and the two ratios last: {@code local_2workers_vs_serial_trials_per_hour_ratio=} beside
 * {@code spark_local2_vs_serial_trials_per_hour_ratio=}. Every side trains the same trials (same
 * plan, seeds and data) for the same epochs, so a ratio counts work done, not time spent.
 */
public final class SweepBench {
    private final Path corpus;
    private final int trials, epochs;
    private final String master;
    private final PrintStream out;

    public SweepBench(Path corpus, int trials, int epochs, String master, PrintStream out) {
        this.corpus = corpus;
        this.trials = trials;
        this.epochs = epochs;
        this.master = master;
        this.out = out;
    }

    public void run() throws IOException {
        BenchMachine.describe(out, null);
        Path dir = Files.createTempDirectory("seqlab-bench-sweep");
        try {
            measure(dir);
        } finally {
            org.seqlab.core.AtomicFiles.deleteTree(dir);    // the three sweeps' files and Spark's scratch: nothing left in the temp directory
        }
    }

    private void measure(Path dir) throws IOException {
        Path yaml = Files.writeString(dir.resolve("bench-sweep.yaml"), String.format(Locale.ROOT, """
                name: bench-sweep
                data: {source: "%s"}
                models:
                  - {family: handrolled, name: lstm, cell: lstm, hidden: 128}
                training: {epochs: %d, batch_size: 32, seq_len: 50, lr: 0.01}
                sweep:
                  generator: random
                  trials: %d
                  workers: 1
                  seed: 11
                  parameters:
                    training.lr: {type: continuous, min: 0.002, max: 0.02, log: true}
                """, corpus.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\""), epochs, trials));
        ConfigLoader.Loaded loaded = ConfigLoader.load(yaml, List.of());
        out.printf(Locale.ROOT, "sweep: %d trials of a hand-rolled LSTM (128 wide, %d epochs of %s), one local worker, two, then Spark %s%n",
                trials, epochs, corpus.getFileName(), master);

        // warm-up, not counted: the JIT and ND4J's first use would otherwise fall on the serial side alone
        ConfigLoader.Loaded warmUp = ConfigLoader.load(yaml, List.of("training.epochs=1", "sweep.trials=1"));
        new SweepRunner(warmUp, dir.resolve("warm-up"), line -> {}).run();

        long t0 = System.nanoTime();
        List<TrialLog.Trial> serial = new SweepRunner(loaded, dir.resolve("serial"), line -> out.println("  serial " + line)).run();
        double serialSeconds = (System.nanoTime() - t0) / 1e9;
        int serialThreads = CoreBudget.threadsFor(1), twoThreads = CoreBudget.threadsFor(2);

        // the same sweep on two local worker threads: what two cores give without Spark (shared caches, memory, clock)
        ConfigLoader.Loaded twoWorkers = ConfigLoader.load(yaml, List.of("sweep.workers=2"));
        long tw = System.nanoTime();
        List<TrialLog.Trial> twoTrials = new SweepRunner(twoWorkers, dir.resolve("two-workers"), line -> out.println("  2 workers " + line)).run();
        double twoSeconds = (System.nanoTime() - tw) / 1e9;

        var data = ExperimentRunner.resolveData(loaded, Catalogue.fromEnvironment(false), line -> {});
        long t1 = System.nanoTime();
        List<TrialLog.Trial> spark;
        List<SparkTrials.Timing> timings;
        double contextSeconds, sparkSeconds;
        try (SparkTrials remote = new SparkTrials(master, loaded, data, dir.resolve("spark"))) {
            contextSeconds = (System.nanoTime() - t1) / 1e9;
            long t2 = System.nanoTime();
            spark = new SweepRunner(loaded, dir.resolve("spark"), line -> out.println("  spark " + line)).run(remote);
            sparkSeconds = (System.nanoTime() - t2) / 1e9;
            timings = remote.timings();
        }
        if (serial.size() != trials || spark.size() != trials)
            throw new IllegalStateException("the sweeps ran " + serial.size() + " and " + spark.size() + " of " + trials + " trials");

        double serialPerHour = trials * 3600 / serialSeconds, sparkPerHour = trials * 3600 / sparkSeconds;
        double serialTrial = median(serial, t -> t.seconds());
        out.printf(Locale.ROOT, "serial: %.1f s, %.0f trials/hour (median trial %.1f s, %d BLAS thread(s) per trial)%n", serialSeconds, serialPerHour,
                serialTrial, serialThreads);
        out.printf(Locale.ROOT, "local 2 workers: %.1f s, %.0f trials/hour (median trial %.1f s, %d BLAS thread(s) per trial)%n",
                twoSeconds, trials * 3600 / twoSeconds, median(twoTrials, t -> t.seconds()), twoThreads);
        out.printf(Locale.ROOT, "spark %s: %.1f s, %.0f trials/hour (median trial %.1f s, %d BLAS thread(s) per trial); "
                        + "starting its context took %.1f s more, once per sweep%n",
                master, sparkSeconds, sparkPerHour, median(spark, t -> t.seconds()), SparkTrials.TASK_CPUS, contextSeconds);

        // overheads per trial, from each task's start and end (executor clock) and the driver's times
        double launch = median(timings, t -> launchDelay(t, timings) / 1e3);
        double task = median(timings, t -> (t.ended() - t.started()) / 1e3 - t.trialSeconds());
        double back = median(timings, t -> (t.received() - t.ended()) / 1e3);
        double driver = median(timings, t -> (t.written() - t.received()) / 1e3);
        double shipped = median(timings, SparkTrials.Timing::bytesShipped), returned = median(timings, SparkTrials.Timing::bytesReturned);
        // an executor of the estimate is this machine (its cores) running one trial at a time: the
        // serial side's trial, alone on those cores, not one timed while two trials shared them
        double trial = serialTrial;
        out.printf(Locale.ROOT, "spark_overhead_per_trial: launch %.3f s, task beyond training %.3f s, result return %.3f s, driver writing %.3f s; "
                + "%.0f KB shipped, %.0f KB returned%n", launch, task, back, driver, shipped / 1e3, returned / 1e3);
        // a cluster: each executor core as fast as one of these, bytes over a 1 Gbit/s network; the
        // driver writes each trial's files and line in turn, which bounds the rate from above
        double network = (shipped + returned) / 125e6;
        double perTrial = trial + launch + task + back + network;
        for (int executors : new int[]{8, 32, 128}) {
            double perHour = Math.min(executors * 3600 / perTrial, driver > 0 ? 3600 / driver : Double.POSITIVE_INFINITY);
            out.printf(Locale.ROOT, "estimate_trials_per_hour_%d_executors=%.0f (executors of %d core(s), one trial each at a time; "
                            + "%.1f s per trial: %.1f training + %.2f overhead)%n",
                    executors, perHour, CoreBudget.CORES, perTrial, trial, perTrial - trial);
        }
        out.printf(Locale.ROOT, "local_2workers_vs_serial_trials_per_hour_ratio=%.2f%n", serialSeconds / twoSeconds);
        out.printf(Locale.ROOT, "spark_local2_vs_serial_trials_per_hour_ratio=%.2f%n", sparkPerHour / serialPerHour);
    }

    /** How long a task waited for its executor once a core was free: from its submission or the last task end before it started. */
    private static double launchDelay(SparkTrials.Timing t, List<SparkTrials.Timing> all) {
        long free = t.submitted();
        for (SparkTrials.Timing o : all) if (o != t && o.ended() <= t.started()) free = Math.max(free, o.ended());
        return Math.max(0, t.started() - free);
    }

    private static <T> double median(List<T> xs, ToDoubleFunction<T> f) {
        List<Double> v = new ArrayList<>();
        for (T x : xs) v.add(f.applyAsDouble(x));
        if (v.isEmpty()) return Double.NaN;
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
