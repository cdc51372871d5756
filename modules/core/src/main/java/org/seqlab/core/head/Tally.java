package org.seqlab.core.head;

import org.seqlab.core.EvalStats;

/** Running sums of {@link EvalStats} fields for several groups (rows of a batch) at once. */
final class Tally {
    final double[] loss, expectedHits, expectedTotal;
    final long[] count, correct, total;

    Tally(int groups) {
        loss = new double[groups];
        expectedHits = new double[groups];
        expectedTotal = new double[groups];
        count = new long[groups];
        correct = new long[groups];
        total = new long[groups];
    }

    EvalStats[] stats() {
        EvalStats[] out = new EvalStats[loss.length];
        for (int g = 0; g < out.length; g++)
            out[g] = new EvalStats(loss[g], count[g], correct[g], total[g], expectedHits[g], expectedTotal[g]);
        return out;
    }

    static int countReal(float[] mask, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) if (mask[i] != 0) c++;
        return c;
    }
}
