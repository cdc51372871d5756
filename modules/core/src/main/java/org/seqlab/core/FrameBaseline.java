package org.seqlab.core;

import java.util.List;

/**
 * The frame-model counterpart of the unigram baseline: every key an independent Bernoulli with
 * its frequency in the training frames (add-one smoothed), scored as summed binary cross-entropy
 * per predicted frame.
 */
public final class FrameBaseline {
    private FrameBaseline() {}

    /** Each key's add-one smoothed frequency in the training frames (all but each tune's first). */
    public static double[] keyProbabilities(List<float[][]> train) {
        int width = train.get(0)[0].length;
        double[] on = new double[width];
        long frames = 0;
        for (float[][] tune : train)
            for (int f = 1; f < tune.length; f++, frames++)
                for (int k = 0; k < width; k++) on[k] += tune[f][k];
        double[] p = new double[width];
        for (int k = 0; k < width; k++) p[k] = (on[k] + 1) / (frames + 2);
        return p;
    }

    /** The summed binary cross-entropy of each row of a frame batch (its real frames) under {@code p}. */
    public static double[] rowLosses(VectorBatch b, double[] p) {
        int w = b.width();
        double[] out = new double[b.rows()];
        for (int r = 0; r < b.rows(); r++)
            for (int t = 0; t < b.length(); t++) {
                int cell = r * b.length() + t;
                if (b.mask()[cell] == 0) continue;
                for (int k = 0; k < w; k++) out[r] -= Math.log(b.targets()[cell * w + k] > 0.5f ? p[k] : 1 - p[k]);
            }
        return out;
    }

    public static EvalStats evaluate(List<float[][]> train, List<float[][]> eval) {
        int width = train.get(0)[0].length;
        double[] p = keyProbabilities(train);
        double loss = 0;
        long n = 0, tp = 0, total = 0;
        double expectedHits = 0, expectedTotal = 0;
        for (float[][] tune : eval)
            for (int f = 1; f < tune.length; f++, n++)
                for (int k = 0; k < width; k++) {
                    boolean y = tune[f][k] > 0.5f;
                    loss -= Math.log(y ? p[k] : 1 - p[k]);
                    boolean predicted = p[k] >= 0.5;
                    if (predicted && y) tp++;
                    if (predicted || y) total++;
                    expectedHits += y ? p[k] : 0;
                    expectedTotal += y ? 1 : p[k];
                }
        return new EvalStats(loss, n, tp, total, expectedHits, expectedTotal);
    }
}
