package org.seqlab.core.head;

import org.seqlab.core.OutputKind;

/**
 * {@code output: softmax}: a categorical over the vocabulary. Loss = cross-entropy,
 * dL/dlogit = softmax − onehot(target); a hit is argmax == target.
 */
public final class SoftmaxHead extends LinearHead {
    public SoftmaxHead(int inputWidth, int width) {
        super(inputWidth, width);
    }

    @Override public String key() { return "softmax"; }
    @Override public OutputKind kind() { return OutputKind.TOKENS; }

    static void score(double[] logits, int o, int width, int y, double[] grad, Tally t, int g) {
        int arg = 0;
        double max = logits[o];
        for (int k = 1; k < width; k++) if (logits[o + k] > max) { max = logits[o + k]; arg = k; }
        double sum = 0;
        for (int k = 0; k < width; k++) sum += Math.exp(logits[o + k] - max);
        t.loss[g] += Math.log(sum) + max - logits[o + y];
        t.total[g]++;
        if (arg == y) t.correct[g]++;
        if (grad != null) {
            for (int k = 0; k < width; k++) grad[o + k] = Math.exp(logits[o + k] - max) / sum;
            grad[o + y] -= 1;
        }
    }
}
