package org.seqlab.core;

import java.util.List;

/** Sums a model's {@link EvalStats} over a full pass of evaluation batches. */
public final class Evaluation {
    private Evaluation() {}

    public static EvalStats run(SequenceModel model, List<? extends Batch> batches) {
        EvalStats total = EvalStats.ZERO;
        for (Batch b : batches) total = total.plus(model.evaluate(b));
        return total;
    }
}
