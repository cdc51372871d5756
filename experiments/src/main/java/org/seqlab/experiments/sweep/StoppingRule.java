package org.seqlab.experiments.sweep;

import org.seqlab.core.train.EpochRecord;
import org.seqlab.core.train.TrainingListener;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sweep's stopping rule (ASHA or the median rule), held by the process that writes trials.jsonl
 * and judged at every validation of every trial, wherever the trial trains: local workers call
 * {@link #judge} directly, Spark executors ask the driver (seqlab-spark). Judging the same
 * validation of the same model twice (a task that Spark runs again) records nothing new and lets
 * it pass, as it passed the first time: training is deterministic, so it reaches the same losses.
 */
public final class StoppingRule {
    private final SweepConfig sweep;
    /** ASHA's rungs, when the sweep uses it. */
    private final Asha.Rungs rungs;
    /** Validation losses of every trial, per validation index, for the median rule. */
    private final Map<Integer, List<Double>> curves = new ConcurrentHashMap<>();
    /** Per model of a trial: how far it has been judged, and its place in ASHA's rungs. */
    private final Map<String, Judged> judged = new ConcurrentHashMap<>();

    private static final class Judged {
        int validations;
        Asha.Rungs.Trial rungs;
    }

    /** One validation of one trial's model, as sent by whoever trains it. */
    public record Validation(String model, int validation, int epoch, double seconds, double validLoss) implements Serializable {}

    /** Who answers for the rule: the rule itself here, the driver over Spark's RPC on an executor. */
    @FunctionalInterface
    public interface Judge {
        /** Why the model stops after this validation, or null to go on. */
        String judge(Validation v);
    }

    /** The sweep's rule, or null when it has none. */
    static StoppingRule of(SweepConfig sweep) {
        return sweep.asha() == null && sweep.medianStopAfter() <= 0 ? null : new StoppingRule(sweep);
    }

    private StoppingRule(SweepConfig sweep) {
        this.sweep = sweep;
        this.rungs = sweep.asha() == null ? null : sweep.asha().new Rungs();
    }

    /** The verdict for one validation; see the class comment for a validation judged before. */
    public String judge(Validation v) {
        Judged j = judged.computeIfAbsent(v.model(), k -> new Judged());
        synchronized (j) {
            if (v.validation() <= j.validations) return null;          // judged before (a retried task)
            j.validations = v.validation();
            if (rungs != null) {
                if (j.rungs == null) j.rungs = rungs.new Trial();
                return j.rungs.observe(sweep.asha().resource() == Asha.Resource.SECONDS ? v.seconds() : v.validation(), v.validLoss());
            }
            return median(v);
        }
    }

    private String median(Validation v) {
        List<Double> others = curves.computeIfAbsent(v.validation(), e -> Collections.synchronizedList(new ArrayList<>()));
        String verdict = null;
        synchronized (others) {
            if (v.validation() >= sweep.medianStopAfter() && others.size() >= sweep.medianMinTrials()) {
                List<Double> sorted = new ArrayList<>(others);
                Collections.sort(sorted);
                int k = sorted.size();
                double med = k % 2 == 1 ? sorted.get(k / 2) : (sorted.get(k / 2 - 1) + sorted.get(k / 2)) / 2;
                if (v.validLoss() > med)
                    verdict = String.format(Locale.ROOT, "pruned after epoch %d (validation %d): validation loss %.4f is worse than the median %.4f of %d other trials",
                            v.epoch(), v.validation(), v.validLoss(), med, k);
            }
            others.add(v.validLoss());
        }
        return verdict;
    }

    /**
     * The listener that puts trial {@code trial}'s validations to {@code judge}: each model the trial
     * trains (its n-th start) is judged on its own, counting its validations from 1.
     */
    static TrainingListener listener(int trial, Judge judge) {
        return new TrainingListener() {
            int starts, validation;
            String model;

            @Override
            public void onStart(String run, long totalSteps) {
                model = trial + "/" + starts++;
                validation = 0;
            }

            @Override
            public String stopAfter(EpochRecord r) {
                return judge.judge(new Validation(model, ++validation, r.epoch(), r.seconds(), r.validLoss()));
            }
        };
    }
}
