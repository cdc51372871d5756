package org.seqlab.core;

/**
 * Real-valued batch (time series): {@code inputs[(row * length + t) * width + k]} is series
 * {@code k} at step {@code t}; {@code targets} holds, in the same layout, the value the model must
 * predict there (the next value, or the one {@code horizon} steps ahead).
 */
public record ValueBatch(int rows, int length, int width, float[] inputs, float[] targets, float[] mask,
                         boolean continues) implements Batch {
    public ValueBatch {
        int n = rows * length;
        if (rows < 1 || length < 1 || width < 1)
            throw new IllegalArgumentException("empty batch " + rows + "x" + length + "x" + width);
        if (inputs.length != n * width || targets.length != n * width || mask.length != n)
            throw new IllegalArgumentException("value batch arrays do not match " + rows + "x" + length + "x" + width);
    }
}
