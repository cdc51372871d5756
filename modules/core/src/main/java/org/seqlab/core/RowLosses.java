package org.seqlab.core;

/**
 * A batch's loss split by row, from its logits: the per-example scores that paired comparisons
 * need. Each row goes through {@link OutputLoss} on its own, so a row's sums are exactly what the
 * batch's sums are made of, whichever layout the family keeps its logits in.
 */
public final class RowLosses {
    private RowLosses() {}

    /** How a family lays out its logits: row by row ({@code [rows][length][width]}) or step by step ({@code [length][rows][width]}). */
    public enum Layout { ROWS_STEPS, STEPS_ROWS }

    /**
     * @param logits        {@code rows * length * width} values in {@code layout}
     * @param tokenTargets  token targets in the same layout (TOKENS), else null
     * @param vectorTargets vector targets in the same layout, {@code width} per step (FRAMES, VALUES), else null
     * @param mask          real steps in the same layout
     * @return one {@link EvalStats} per row; {@link EvalStats#ZERO}-like sums for an all-padding row
     */
    public static EvalStats[] of(OutputKind kind, Layout layout, int rows, int length, int width, double[] logits,
                                 int[] tokenTargets, float[] vectorTargets, float[] mask) {
        EvalStats[] out = new EvalStats[rows];
        double[] l = new double[length * width];
        int[] tt = tokenTargets == null ? null : new int[length];
        float[] vt = vectorTargets == null ? null : new float[length * width];
        float[] m = new float[length];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < length; t++) {
                int cell = layout == Layout.ROWS_STEPS ? r * length + t : t * rows + r;
                System.arraycopy(logits, cell * width, l, t * width, width);
                if (tt != null) tt[t] = tokenTargets[cell];
                if (vt != null) System.arraycopy(vectorTargets, cell * width, vt, t * width, width);
                m[t] = mask[cell];
            }
            out[r] = OutputLoss.lossAndGradient(kind, l, width, tt, vt, m, null);
        }
        return out;
    }

    /** Row-major float logits of {@code batch} (what {@link SequenceModel#logits} gives) scored row by row. */
    public static EvalStats[] ofBatch(OutputKind kind, Batch batch, int width, float[] logits) {
        double[] l = new double[logits.length];
        for (int i = 0; i < l.length; i++) l[i] = logits[i];
        return ofBatch(kind, batch, width, l);
    }

    /** Row-major double logits of {@code batch} scored row by row. */
    public static EvalStats[] ofBatch(OutputKind kind, Batch batch, int width, double[] logits) {
        int[] tokens = batch instanceof TokenBatch tb ? tb.targets() : null;
        float[] vectors = batch instanceof VectorBatch vb ? vb.targets() : null;
        return of(kind, Layout.ROWS_STEPS, batch.rows(), batch.length(), width, logits, tokens, vectors, batch.mask());
    }

    /** The rows' sums added up: equal (to rounding) to the batch's {@link SequenceModel#evaluate}. */
    public static EvalStats total(EvalStats[] rows) {
        EvalStats s = EvalStats.ZERO;
        for (EvalStats r : rows) s = s.plus(r);
        return s;
    }
}
