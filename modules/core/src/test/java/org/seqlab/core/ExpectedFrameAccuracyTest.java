package org.seqlab.core;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expected frame accuracy (Boulanger-Lewandowski et al., 2012): the closed form from summed
 * probabilities equals the mean of TP/(TP+FP+FN) over test sets drawn from the model's Bernoullis.
 */
class ExpectedFrameAccuracyTest {
    @Test
    void theClosedFormIsTheMeanOverDrawnPredictions() {
        int frames = 400, keys = 88;
        SplittableRandom r = new SplittableRandom(3);
        double[] logits = new double[frames * keys];
        float[] targets = new float[frames * keys], mask = new float[frames];
        java.util.Arrays.fill(mask, 1f);
        for (int i = 0; i < logits.length; i++) {
            boolean on = r.nextDouble() < 0.05;                       // about four keys a frame, as in Nottingham
            targets[i] = on ? 1f : 0f;
            logits[i] = (on ? 1.0 : -3.5) + 1.5 * r.nextGaussian();  // a model that is often right, not always
        }
        Metrics m = Metrics.of(OutputLoss.lossAndGradient(OutputKind.FRAMES, logits, keys, null, targets, mask, null));

        int draws = 2000;
        double sum = 0;
        for (int d = 0; d < draws; d++) {
            long tp = 0, all = 0;
            for (int i = 0; i < logits.length; i++) {
                boolean on = r.nextDouble() < 1 / (1 + Math.exp(-logits[i])), truth = targets[i] > 0.5f;
                if (on && truth) tp++;
                if (on || truth) all++;
            }
            sum += (double) tp / all;
        }
        double sampled = sum / draws;
        assertEquals(sampled, m.expectedAccuracy(), 2e-3, "closed form against " + draws + " drawn test sets");
        assertTrue(Math.abs(m.accuracy() - m.expectedAccuracy()) > 0.02,
                "the thresholded figure is another number: " + m.accuracy() + " vs " + m.expectedAccuracy());
    }

    @Test
    void tokensAndValuesHaveNoExpectedAccuracy() {
        Metrics tokens = Metrics.of(OutputLoss.lossAndGradient(OutputKind.TOKENS, new double[]{1, 2, 3}, 3, new int[]{2}, null, new float[]{1}, null));
        assertTrue(Double.isNaN(tokens.expectedAccuracy()) && tokens.accuracy() == 1.0);
    }

    @Test
    void theIndependentKeysBaselineHasOneToo() {
        float[][] tune = new float[50][4];
        for (int f = 0; f < 50; f++) tune[f][f % 2] = 1;              // key 0 or 1, alternately: p = 0.5 each
        java.util.List<float[][]> tunes = java.util.List.<float[][]>of(tune);
        Metrics m = Metrics.of(FrameBaseline.evaluate(tunes, tunes));
        // per frame E[TP] = p(on key) ~ 0.5, E[TP+FP+FN] = 1 + p(the other) + ~0 ~ 1.5
        assertEquals(1.0 / 3, m.expectedAccuracy(), 0.02);
    }
}
