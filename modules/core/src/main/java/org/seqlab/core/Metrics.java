package org.seqlab.core;

/**
 * Metrics derived from {@link EvalStats} in one place, so that every model is scored the same way.
 * Loss is nats per token (per frame for frame models).
 *
 * @param accuracy         tokens: argmax accuracy; frames: TP/(TP+FP+FN) over all frames of one
 *                         prediction, each key on when its probability is at least 0.5 (thresholded)
 * @param expectedAccuracy frames only (else NaN): the frame accuracy as Boulanger-Lewandowski et
 *                         al. (2012) report it, the expectation of TP/(TP+FP+FN) over all frames
 *                         when every key of every frame is drawn from the model's Bernoulli. With
 *                         keys independent given the past, E[TP] and E[TP+FP+FN] are sums of
 *                         probabilities, and over thousands of frames the ratio's expectation is
 *                         their ratio (the sums' relative spread is O(1/sqrt(frames))), so no
 *                         sampling is needed
 */
public record Metrics(double loss, double perplexity, double bitsPerToken, double accuracy, double expectedAccuracy, long count) {
    private static final double LN2 = Math.log(2);

    public static Metrics of(EvalStats s) {
        double loss = s.meanLoss();
        double acc = s.total() == 0 ? Double.NaN : (double) s.correct() / s.total();
        double expected = s.expectedTotal() == 0 ? Double.NaN : s.expectedHits() / s.expectedTotal();
        return new Metrics(loss, Math.exp(loss), loss / LN2, acc, expected, s.count());
    }
}
