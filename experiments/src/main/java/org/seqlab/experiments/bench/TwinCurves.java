package org.seqlab.experiments.bench;

import org.seqlab.core.Evaluation;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.data.RandomWindows;
import org.seqlab.core.data.SequentialPass;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Validation curves of models trained on the same batches and validated at the same steps, so that
 * two twin families (the hand-rolled and the DL4J LSTM) can be compared step for step: the test
 * that they train alike, and {@code seqlab bench twins}.
 *
 * @param train     training token stream; batches are random windows of it, drawn from the seed
 * @param valid     validation token stream, evaluated whole (state carried) at every validation
 * @param rows      sequences per batch
 * @param length    steps per window
 * @param lr        learning rate of every step
 * @param evalEvery validate after every multiple of this many steps
 * @param maxSteps  at most this many steps
 * @param seconds   at most this much training time (validation does not count)
 */
public record TwinCurves(int[] train, int[] valid, int rows, int length, double lr, int evalEvery, int maxSteps, double seconds) {
    /** Validation loss (mean per token) after steps[i]. */
    public record Curve(List<Integer> steps, List<Double> losses) {
        /** The loss at {@code step}, or null when this curve did not reach it. */
        Double at(int step) {
            int i = steps.indexOf(step);
            return i < 0 ? null : losses.get(i);
        }
    }

    /** Trains {@code m} on this run's windows (drawn from {@code batchSeed}) and returns its validation curve. */
    public Curve train(SequenceModel m, long batchSeed) {
        RandomWindows windows = new RandomWindows(train, rows, length, new SplittableRandom(batchSeed));
        List<TokenBatch> validation = SequentialPass.of(valid, rows, Math.max(64, length));
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        long nanos = 0, budget = (long) (seconds * 1e9);
        for (int step = 1; step <= maxSteps && nanos < budget; step++) {
            long t0 = System.nanoTime();
            m.trainStep(windows.next(), lr);
            nanos += System.nanoTime() - t0;
            if (step % evalEvery == 0) {
                steps.add(step);
                losses.add(Evaluation.run(m, validation).meanLoss());
            }
        }
        return new Curve(List.copyOf(steps), List.copyOf(losses));
    }

    /** The mean of {@code curves} (one per seed) at the validation steps every one of them reached. */
    public static Curve mean(List<Curve> curves) {
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        for (int step : curves.get(0).steps()) {
            double sum = 0;
            boolean all = true;
            for (Curve c : curves) {
                Double l = c.at(step);
                if (l == null) all = false;
                else sum += l;
            }
            if (!all) break;
            steps.add(step);
            losses.add(sum / curves.size());
        }
        return new Curve(steps, losses);
    }

    /** The largest |a - b| at the validation steps both curves reached (NaN when they share none). */
    public static double largestGap(Curve a, Curve b) {
        double gap = Double.NaN;
        for (int i = 0; i < a.steps().size(); i++) {
            Double other = b.at(a.steps().get(i));
            if (other != null) gap = Double.isNaN(gap) ? Math.abs(a.losses().get(i) - other) : Math.max(gap, Math.abs(a.losses().get(i) - other));
        }
        return gap;
    }
}
