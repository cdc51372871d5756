package org.seqlab.core;

import java.util.ArrayList;
import java.util.List;

/** Sums a model's {@link EvalStats} over a full pass of evaluation batches. */
public final class Evaluation {
    private Evaluation() {}

    public static EvalStats run(SequenceModel model, List<? extends Batch> batches) {
        EvalStats total = EvalStats.ZERO;
        for (Batch b : batches) total = total.plus(model.evaluate(b));
        return total;
    }

    /**
     * A pass scored example by example: every row of every batch that has real steps, in pass
     * order, and the pass's sums (the rows added up).
     */
    public record ByExample(EvalStats total, double[] loss, long[] count) {}

    /** {@link #run}, keeping each row's loss: one pass serves the test metrics and the paired comparisons. */
    public static ByExample byExample(SequenceModel model, List<? extends Batch> batches) {
        List<EvalStats> rows = new ArrayList<>();
        EvalStats total = EvalStats.ZERO;
        for (Batch b : batches)
            for (EvalStats r : model.evaluateRows(b)) {
                total = total.plus(r);
                if (r.count() > 0) rows.add(r);
            }
        double[] loss = new double[rows.size()];
        long[] count = new long[rows.size()];
        for (int i = 0; i < loss.length; i++) { loss[i] = rows.get(i).lossSum(); count[i] = rows.get(i).count(); }
        return new ByExample(total, loss, count);
    }
}
