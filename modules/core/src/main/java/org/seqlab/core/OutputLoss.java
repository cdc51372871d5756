package org.seqlab.core;

/**
 * Loss, gradient and hit counts from output logits, on plain arrays: the one definition of the
 * loss every family reports (a family may train with its library's loss, but evaluates with this).
 * One pass over the logits in Java is also cheaper than a dozen ND4J calls at these sizes.
 *
 * <ul>
 *   <li>TOKENS: softmax cross-entropy; dL/dlogit = softmax - onehot(target); hit = argmax == target.</li>
 *   <li>FRAMES: per-unit sigmoid binary cross-entropy summed over units; dL/dlogit = sigmoid - y;
 *       TP/FP/FN with a 0.5 threshold, and their expectations when every key is drawn from its
 *       Bernoulli (see {@link Metrics#expectedAccuracy()}).</li>
 *   <li>VALUES: identity output, squared error summed over units (no 1/2 factor); dL/dy = 2 (y - t);
 *       no hits are counted (accuracy does not apply).</li>
 * </ul>
 */
public final class OutputLoss {
    private OutputLoss() {}

    /**
     * @param logits  [n * width] row-major
     * @param tokenTargets  token ids [n] (TOKENS)
     * @param vectorTargets multi-hot frames (FRAMES) or real values (VALUES), [n * width]
     * @param mask    [n]: 0 rows add no loss and get zero gradient
     * @param grad    filled with dL/dlogits when non-null
     */
    public static EvalStats lossAndGradient(OutputKind kind, double[] logits, int width, int[] tokenTargets,
                                     float[] vectorTargets, float[] mask, double[] grad) {
        int n = mask.length;
        double loss = 0;
        long count = 0, correct = 0, total = 0;
        double expectedHits = 0, expectedTotal = 0;
        for (int i = 0; i < n; i++) {
            int o = i * width;
            if (mask[i] == 0) {
                if (grad != null) java.util.Arrays.fill(grad, o, o + width, 0);
                continue;
            }
            count++;
            if (kind == OutputKind.TOKENS) {
                int y = tokenTargets[i];
                int arg = 0;
                double max = logits[o];
                for (int k = 1; k < width; k++) if (logits[o + k] > max) { max = logits[o + k]; arg = k; }
                double sum = 0;
                for (int k = 0; k < width; k++) sum += Math.exp(logits[o + k] - max);
                loss += Math.log(sum) + max - logits[o + y];
                total++;
                if (arg == y) correct++;
                if (grad != null) {
                    for (int k = 0; k < width; k++) grad[o + k] = Math.exp(logits[o + k] - max) / sum;
                    grad[o + y] -= 1;
                }
            } else if (kind == OutputKind.VALUES) {
                for (int k = 0; k < width; k++) {
                    double e = logits[o + k] - vectorTargets[o + k];
                    loss += e * e;
                    if (grad != null) grad[o + k] = 2 * e;
                }
            } else {
                for (int k = 0; k < width; k++) {
                    double l = logits[o + k];
                    double y = vectorTargets[o + k];
                    loss += Math.max(l, 0) - l * y + Math.log1p(Math.exp(-Math.abs(l)));
                    double p = 1 / (1 + Math.exp(-l));
                    boolean on = p >= 0.5, truth = y > 0.5;
                    if (on && truth) correct++;
                    if (on || truth) total++;
                    expectedHits += truth ? p : 0;
                    expectedTotal += truth ? 1 : p;
                    if (grad != null) grad[o + k] = p - y;
                }
            }
        }
        return new EvalStats(loss, count, correct, total, expectedHits, expectedTotal);
    }
}
