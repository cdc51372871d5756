package org.seqlab.core.head;

import org.seqlab.core.OutputKind;

/**
 * {@code output: bernoulli}: every key an independent Bernoulli, p = σ(logit). Loss = binary
 * cross-entropy summed over keys, dL/dlogit = σ − y; TP/FP/FN at a 0.5 threshold, and their
 * expectations when every key is drawn from its Bernoulli (exact: the sums of p).
 */
public final class BernoulliHead extends LinearHead {
    public BernoulliHead(int inputWidth, int width) {
        super(inputWidth, width);
    }

    @Override public String key() { return "bernoulli"; }
    @Override public OutputKind kind() { return OutputKind.FRAMES; }

    static void score(double[] logits, int o, int width, float[] targets, double[] grad, Tally t, int g) {
        double loss = 0, eh = 0, et = 0;
        long correct = 0, total = 0;
        for (int k = 0; k < width; k++) {
            double l = logits[o + k];
            double y = targets[o + k];
            loss += Math.max(l, 0) - l * y + Math.log1p(Math.exp(-Math.abs(l)));
            double p = 1 / (1 + Math.exp(-l));
            boolean on = p >= 0.5, truth = y > 0.5;
            if (on && truth) correct++;
            if (on || truth) total++;
            eh += truth ? p : 0;
            et += truth ? 1 : p;
            if (grad != null) grad[o + k] = p - y;
        }
        t.loss[g] += loss;
        t.correct[g] += correct;
        t.total[g] += total;
        t.expectedHits[g] += eh;
        t.expectedTotal[g] += et;
    }
}
