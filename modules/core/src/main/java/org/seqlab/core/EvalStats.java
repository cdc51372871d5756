package org.seqlab.core;

/**
 * Raw sums from evaluating (or training on) some batches; every derived metric is computed from
 * these in {@link Metrics}, identically for every family.
 *
 * @param lossSum summed loss over real steps: nats (tokens or frames), squared error (values)
 * @param count   number of real steps the loss is summed over
 * @param correct hits: correct argmax tokens, or true-positive units for frames (0 for values)
 * @param total   what {@code correct} is counted out of: {@code count} for tokens, TP + FP + FN for
 *                frames, 0 for values (accuracy is then NaN: it does not apply)
 */
public record EvalStats(double lossSum, long count, long correct, long total) {
    public static final EvalStats ZERO = new EvalStats(0, 0, 0, 0);

    public EvalStats plus(EvalStats o) {
        return new EvalStats(lossSum + o.lossSum, count + o.count, correct + o.correct, total + o.total);
    }

    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }
}
