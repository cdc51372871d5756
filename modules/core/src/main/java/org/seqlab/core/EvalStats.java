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
 * @param expectedHits  frames: the expected TP count when every key is drawn from the model's
 *                      Bernoulli (the sum of p over the keys that sound); 0 otherwise
 * @param expectedTotal frames: the expected TP + FP + FN (the keys that sound, plus the sum of p
 *                      over the silent ones); 0 otherwise
 */
public record EvalStats(double lossSum, long count, long correct, long total, double expectedHits, double expectedTotal) {
    public static final EvalStats ZERO = new EvalStats(0, 0, 0, 0);

    /** Sums without expected counts (tokens, values, or a loss alone). */
    public EvalStats(double lossSum, long count, long correct, long total) {
        this(lossSum, count, correct, total, 0, 0);
    }

    public EvalStats plus(EvalStats o) {
        return new EvalStats(lossSum + o.lossSum, count + o.count, correct + o.correct, total + o.total,
                expectedHits + o.expectedHits, expectedTotal + o.expectedTotal);
    }

    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }
}
