package org.seqlab.experiments.sweep;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where a sweep's trials run when not on this machine's worker threads (e.g. on Spark: the
 * {@code seqlab-spark} module). The driver (SweepRunner) alone writes trials.jsonl and the report,
 * one line per finished trial, as trials finish.
 */
public interface TrialRunner extends AutoCloseable {
    /**
     * Starts trial {@code trial} of {@code of} with {@code params}; the future completes with its
     * record once its files are under the sweep's {@code trials/} directory, or fails when the trial
     * could not be run at all (a trial that fails or diverges is a record, not a failure). It
     * completes with null when the trial did not start because the sweep's max_seconds had passed.
     *
     * @param judge the sweep's stopping rule, to be asked at each of the trial's validations (null: none)
     */
    CompletableFuture<TrialLog.Trial> submit(int trial, Map<String, Object> params, int of, StoppingRule.Judge judge);

    /** Where the trials run, for the console ("Spark local[2]"). */
    String where();

    @Override
    void close();
}
