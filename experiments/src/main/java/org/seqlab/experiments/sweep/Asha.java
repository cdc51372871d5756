package org.seqlab.experiments.sweep;

import org.seqlab.core.Check;
import org.seqlab.core.FieldException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Asynchronous successive halving (ASHA; Li et al., 2018), as a stopping rule for a sweep's trials:
 * rung k sits at {@code min_resource · reduction_factor^k} epochs (validations, with
 * training.eval_every) or seconds of training. A trial that reaches a rung continues only if its
 * validation loss is within the best 1/reduction_factor of the losses recorded there so far;
 * otherwise it is stopped (status {@code stopped}, with its metrics so far). Asynchronous: no trial
 * waits for a rung to fill, so early trials pass rungs that later ones may not.
 *
 * @param resource         what a rung counts: epochs (default) or seconds
 * @param minResource      the first rung (default 1)
 * @param reductionFactor  η: about one trial in η goes on from each rung (default 3)
 */
public record Asha(Resource resource, Double minResource, Double reductionFactor) {
    public enum Resource { EPOCHS, SECONDS }

    public Asha {
        if (resource == null) resource = Resource.EPOCHS;
        if (minResource == null) minResource = 1.0;
        if (reductionFactor == null) reductionFactor = 3.0;
        Check.positive("min_resource", minResource);
        if (!(reductionFactor > 1) || Double.isInfinite(reductionFactor))
            throw new FieldException("reduction_factor", "must be a finite number > 1, got " + reductionFactor);
    }

    /** The resource of rung {@code k}. */
    double rung(int k) {
        return minResource * Math.pow(reductionFactor, k);
    }

    /** The losses recorded at each rung by every trial of one sweep (shared by its workers). */
    final class Rungs {
        private final List<List<Double>> recorded = new ArrayList<>();

        /** One trial's progress through the rungs: call {@link #observe} at each of its validations. */
        final class Trial {
            private int next;               // the lowest rung this trial has not recorded

            /**
             * Records the loss at the highest rung {@code used} has passed and this trial has not
             * recorded yet (as Ray Tune's ASHA does), and returns why the trial stops, or null.
             */
            String observe(double used, double loss) {
                int k = -1;
                while (used >= rung(next) - 1e-9) k = next++;
                if (k < 0) return null;
                synchronized (recorded) {
                    while (recorded.size() <= k) recorded.add(new ArrayList<>());
                    List<Double> there = recorded.get(k);
                    Double cutoff = there.isEmpty() ? null : percentile(there, 100 / reductionFactor);
                    int others = there.size();
                    there.add(loss);
                    if (cutoff != null && loss > cutoff)
                        return String.format(Locale.ROOT, "stopped by ASHA at rung %d (%s %s): validation loss %.4f is outside the best 1/%s (cutoff %.4f) of %d trials there",
                                k, trim(rung(k)), resource.name().toLowerCase(Locale.ROOT), loss, trim(reductionFactor), cutoff, others);
                    return null;
                }
            }
        }
    }

    /** numpy's default (linear) percentile of {@code values}. */
    static double percentile(List<Double> values, double p) {
        List<Double> s = new ArrayList<>(values);
        java.util.Collections.sort(s);
        double pos = p / 100 * (s.size() - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return s.get(lo) + (s.get(hi) - s.get(lo)) * (pos - lo);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
