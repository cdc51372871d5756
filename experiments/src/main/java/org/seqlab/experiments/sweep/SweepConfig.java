package org.seqlab.experiments.sweep;

import org.seqlab.core.Check;
import org.seqlab.core.FieldException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code sweep:} section: which YAML keys to search, how, and with what budget.
 *
 * @param generator  random, grid or genetic (Arbiter's generators; default random). Genetic
 *                   search breeds new trials from the scores of finished ones, so its trials are
 *                   drawn as workers free up; a resumed genetic sweep keeps its finished trials and
 *                   continues the search from them
 * @param trials     trials to run (grid: at most the grid size; default 10)
 * @param workers    trials trained at the same time in this JVM (default: one per core). They share
 *                   the cores: each trial's matrix products run on cores ÷ trials at once BLAS threads,
 *                   at least one, set once when the sweep starts (a single seqlab run gets every core);
 *                   and the memory budget: each trial's limit is SEQLAB_MAX_OFFHEAP ÷ the trials in
 *                   flight, and the trial over it ends failed (memory) while the others go on
 * @param maxSeconds wall-clock budget: no new trial starts after it (0 = none, the default)
 * @param metric     minimised: valid_loss (default) or valid_perplexity, of the first model
 * @param gridPoints points per continuous/int axis of a grid search (default 3)
 * @param seed       seed of the random generator (default 12345; the same seed gives the same
 *                   trials, which is what makes resuming exact)
 * @param medianStopAfter median stopping rule: from this epoch on (this validation, with
 *                   training.eval_every), a trial whose validation loss is worse than the median of
 *                   the other trials at the same point is pruned (0 = off, the default)
 * @param medianMinTrials other trials that must have reached an epoch before the rule applies
 *                   there (default 3)
 * @param parameters dotted YAML path (e.g. models[0].hidden, training.lr) to its search space
 *                   (required)
 * @param asha       asynchronous successive halving instead of the median rule: {resource:
 *                   epochs|seconds, min_resource, reduction_factor}; trials it stops are recorded
 *                   as stopped, with their metrics so far (default: off)
 * @param spark      run the trials as Apache Spark tasks: {master: local[2] | spark://host:7077 |
 *                   yarn | k8s://...}; `seqlab sweep --spark MASTER` does the same and wins
 *                   (default: local worker threads). Each task is a trial on spark.task.cpus (1) BLAS
 *                   threads, sharing its executor's memory budget as workers do; Spark's scratch
 *                   (spark.local.dir) lives in the sweep's spark-local/ folder, removed at the end
 *                   (after a kill, when the sweep starts again)
 */
public record SweepConfig(Generator generator, Integer trials, Integer workers, Double maxSeconds, Metric metric,
                          Integer gridPoints, Long seed, Integer medianStopAfter, Integer medianMinTrials,
                          Map<String, ParamSpec> parameters, Asha asha, Spark spark) {
    public enum Generator { RANDOM, GRID, GENETIC }

    public enum Metric { VALID_LOSS, VALID_PERPLEXITY }

    /**
     * @param master      Spark's master URL (required): local[N], local[N,F] (F attempts per task), spark://, yarn, k8s://
     * @param checkpoints bring each trial's checkpoints back from the executors too (default false: records and reports only)
     */
    public record Spark(String master, Boolean checkpoints) {
        public Spark {
            if (master == null || master.isBlank()) throw new FieldException("master", "is required, e.g. local[2] or spark://host:7077");
            SparkMaster.check(master);
            if (checkpoints == null) checkpoints = false;
        }
    }

    public SweepConfig {
        if (generator == null) generator = Generator.RANDOM;
        if (trials == null) trials = 10;
        if (workers == null) workers = org.seqlab.optim.CoreBudget.CORES;
        if (maxSeconds == null) maxSeconds = 0.0;
        if (metric == null) metric = Metric.VALID_LOSS;
        if (gridPoints == null) gridPoints = 3;
        if (seed == null) seed = 12345L;
        if (medianStopAfter == null) medianStopAfter = 0;
        if (medianMinTrials == null) medianMinTrials = 3;
        Check.atLeast("median_stop_after", medianStopAfter, 0);
        Check.atLeast("median_min_trials", medianMinTrials, 1);
        Check.atLeast("trials", trials, 1);
        Check.atLeast("workers", workers, 1);
        Check.nonNegative("max_seconds", maxSeconds);
        Check.atLeast("grid_points", gridPoints, 2);
        if (asha != null && medianStopAfter > 0)
            throw new FieldException("asha", "choose one stopping rule: asha or median_stop_after, not both");
        if (parameters == null || parameters.isEmpty()) throw new FieldException("parameters", "list at least one key to search");
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }
}
