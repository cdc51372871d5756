package org.seqlab.core;

/**
 * The simplest model worth beating: next-token frequencies from the training stream (add-one
 * smoothed so unseen tokens are not infinitely surprising), scored on another stream.
 */
public final class UnigramBaseline {
    private UnigramBaseline() {}

    /** The add-one smoothed log-probability of each token id, from {@code train}'s targets (all tokens but the first). */
    public static double[] logProbabilities(int[] train, int vocabularySize) {
        double[] counts = new double[vocabularySize];
        java.util.Arrays.fill(counts, 1.0);
        for (int i = 1; i < train.length; i++) counts[train[i]]++;
        double total = (train.length - 1) + vocabularySize;
        for (int k = 0; k < vocabularySize; k++) counts[k] = Math.log(counts[k] / total);
        return counts;
    }

    /** Cross-entropy in nats per predicted token of {@code eval}'s targets (all tokens but the first). */
    public static EvalStats evaluate(int[] train, int[] eval, int vocabularySize) {
        double[] counts = new double[vocabularySize];
        java.util.Arrays.fill(counts, 1.0);
        for (int i = 1; i < train.length; i++) counts[train[i]]++;
        double total = (train.length - 1) + vocabularySize;
        int argmax = 0;
        for (int k = 1; k < vocabularySize; k++) if (counts[k] > counts[argmax]) argmax = k;
        double loss = 0;
        long correct = 0, n = 0;
        for (int i = 1; i < eval.length; i++) {
            loss -= Math.log(counts[eval[i]] / total);
            if (eval[i] == argmax) correct++;
            n++;
        }
        return new EvalStats(loss, n, correct, n);
    }
}
