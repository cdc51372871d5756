package org.seqlab.core;

/**
 * Real-valued batch (time series): {@code inputs[(row * length + t) * width + k]} is series
 * {@code k} at step {@code t}; {@code targets} holds, in the same layout, the value the model must
 * predict there (the next value, or the one {@code horizon} steps ahead).
 */
public record ValueBatch(int rows, int length, int width, float[] inputs, float[] targets, float[] mask,
                         boolean continues) implements VectorBatch {
    public ValueBatch {
        VectorBatch.checkArrays("value", rows, length, width, inputs, targets, mask);
    }

    @Override
    public OutputKind kind() {
        return OutputKind.VALUES;
    }
}
