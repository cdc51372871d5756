package org.seqlab.core;

/**
 * Metrics derived from {@link EvalStats} in one place, so that every model is scored the same way.
 * Loss is nats per token (per frame for frame models).
 */
public record Metrics(double loss, double perplexity, double bitsPerToken, double accuracy, long count) {
    private static final double LN2 = Math.log(2);

    public static Metrics of(EvalStats s) {
        double loss = s.meanLoss();
        double acc = s.total() == 0 ? Double.NaN : (double) s.correct() / s.total();
        return new Metrics(loss, Math.exp(loss), loss / LN2, acc, s.count());
    }
}
