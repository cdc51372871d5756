package org.seqlab.core.head;

import org.seqlab.core.OutputKind;

/**
 * {@code output: gaussian}: real values with a fixed-variance Gaussian, i.e. squared error summed
 * over series (no 1/2 factor; dL/dy = 2 (y − t)); the output is the prediction itself. No hits.
 */
public final class GaussianHead extends LinearHead {
    public GaussianHead(int inputWidth, int width) {
        super(inputWidth, width);
    }

    @Override public String key() { return "gaussian"; }
    @Override public OutputKind kind() { return OutputKind.VALUES; }

    static void score(double[] out, int o, int width, float[] targets, double[] grad, Tally t, int g) {
        double loss = 0;
        for (int k = 0; k < width; k++) {
            double e = out[o + k] - targets[o + k];
            loss += e * e;
            if (grad != null) grad[o + k] = 2 * e;
        }
        t.loss[g] += loss;
    }
}
