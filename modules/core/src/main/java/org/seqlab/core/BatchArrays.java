package org.seqlab.core;

import java.util.Arrays;

/**
 * A batch as the flat arrays a family multiplies: inputs one-hot (tokens) or dense (frames,
 * values), targets the same way, in the order of one of three {@link Layout}s. Every family
 * converts batches here, so a token batch fed to a frame model fails alike everywhere.
 */
public final class BatchArrays {
    private BatchArrays() {}

    /** Where step {@code t} of row {@code r}, unit {@code k} lies in a flat array. */
    public enum Layout {
        /** [rows, steps, width]: row by row (the transformer's, and the batches' own). */
        ROWS_STEPS_WIDTH,
        /** [steps, rows, width]: step by step, so one step of every row is one matrix (the hand-rolled cells'). */
        STEPS_ROWS_WIDTH,
        /** [rows, width, steps]: DL4J's NCW recurrent format. */
        ROWS_WIDTH_STEPS;

        public int index(int r, int t, int k, int rows, int steps, int width) {
            return switch (this) {
                case ROWS_STEPS_WIDTH -> (r * steps + t) * width + k;
                case STEPS_ROWS_WIDTH -> (t * rows + r) * width + k;
                case ROWS_WIDTH_STEPS -> (r * width + k) * steps + t;
            };
        }
    }

    /**
     * Throws unless {@code b} is what a model of {@code shape} reads: a token batch for a token
     * model, a frame or value batch of the model's kind and width otherwise.
     */
    public static void check(Batch b, ModelShape shape) {
        if (b instanceof VectorBatch vb) vb.requireShape(shape);
        else if (shape.kind() != OutputKind.TOKENS)
            throw new IllegalArgumentException("token batch for a " + shape.kind().name().toLowerCase(java.util.Locale.ROOT) + " model");
    }

    /** The inputs of {@code b}, {@code width} units a step, written into {@code out} (zeroed first) in {@code layout}. */
    public static void inputs(Batch b, int width, Layout layout, float[] out) {
        write(b instanceof TokenBatch tb ? tb.inputs() : null, b instanceof VectorBatch vb ? vb.inputs() : null, b, width, layout, out);
    }

    /** The targets of {@code b}, one-hot for tokens, written into {@code out} (zeroed first) in {@code layout}. */
    public static void targets(Batch b, int width, Layout layout, float[] out) {
        write(b instanceof TokenBatch tb ? tb.targets() : null, b instanceof VectorBatch vb ? vb.targets() : null, b, width, layout, out);
    }

    /** A per-step array of {@code b} (its mask, or a token batch's targets) reordered for {@code layout} (width 1). */
    public static float[] perStep(float[] values, Batch b, Layout layout) {
        float[] out = new float[values.length];
        int rows = b.rows(), steps = b.length();
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < steps; t++) out[layout.index(r, t, 0, rows, steps, 1)] = values[r * steps + t];
        return out;
    }

    /** {@link #perStep(float[], Batch, Layout)} for int arrays (token targets). */
    public static int[] perStep(int[] values, Batch b, Layout layout) {
        int[] out = new int[values.length];
        int rows = b.rows(), steps = b.length();
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < steps; t++) out[layout.index(r, t, 0, rows, steps, 1)] = values[r * steps + t];
        return out;
    }

    /**
     * Step {@code i} (= row · length + t) of {@code b}'s inputs written at {@code out[offset ..
     * offset + width)}: a 1 at the token, or the step's vector. For layouts that carry context
     * from earlier batches, which no whole-batch layout describes.
     */
    public static void inputStep(Batch b, int i, int width, float[] out, int offset) {
        if (b instanceof TokenBatch tb) out[offset + tb.inputs()[i]] = 1f;
        else System.arraycopy(((VectorBatch) b).inputs(), i * width, out, offset, width);
    }

    /** Step {@code i} of {@code b}'s targets at {@code out[offset .. offset + width)}, one-hot for a token. */
    public static void targetStep(Batch b, int i, int width, float[] out, int offset) {
        if (b instanceof TokenBatch tb) out[offset + tb.targets()[i]] = 1f;
        else System.arraycopy(((VectorBatch) b).targets(), i * width, out, offset, width);
    }

    /** One-hot {@code tokens} or the {@code dense} vectors (one of them null) of batch {@code b} into {@code out}, in {@code layout}. */
    private static void write(int[] tokens, float[] dense, Batch b, int width, Layout layout, float[] out) {
        int rows = b.rows(), steps = b.length();
        if (dense != null && layout == Layout.ROWS_STEPS_WIDTH) {
            System.arraycopy(dense, 0, out, 0, dense.length);          // the batches' own layout
            return;
        }
        Arrays.fill(out, 0f);
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < steps; t++) {
                int i = r * steps + t;
                if (tokens != null) out[layout.index(r, t, tokens[i], rows, steps, width)] = 1f;
                else for (int k = 0; k < width; k++) out[layout.index(r, t, k, rows, steps, width)] = dense[i * width + k];
            }
    }
}
