package org.seqlab.core;

/**
 * Loss, gradient and hit counts from output logits, on plain arrays, for a family that keeps its own
 * output layer: the per-element math is the heads' ({@link org.seqlab.core.head.LinearHead#scoreAll}).
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
        return org.seqlab.core.head.LinearHead.scoreAll(kind, logits, width, mask.length, tokenTargets, vectorTargets, mask,
                grad, null, 1)[0];
    }
}
