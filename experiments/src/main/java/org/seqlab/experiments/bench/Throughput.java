package org.seqlab.experiments.bench;

import org.seqlab.core.EvalStats;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.data.BatchSource;

/** Training throughput of a model: tokens actually trained on per second of wall time. */
record Throughput(long tokens, double seconds, double lastLoss) {
    double perSecond() {
        return tokens / seconds;
    }

    /**
     * Trains for {@code seconds}, timed from the first step as the peer scripts time themselves: no
     * warm-up is left out on either side of a comparison.
     */
    static Throughput measure(SequenceModel m, BatchSource batches, double lr, double seconds) {
        long tokens = 0;
        double loss = Double.NaN;
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            EvalStats s = m.trainStep(batches.next(), lr);
            tokens += s.count();
            loss = s.meanLoss();
        }
        return new Throughput(tokens, (System.nanoTime() - start) / 1e9, loss);
    }
}
