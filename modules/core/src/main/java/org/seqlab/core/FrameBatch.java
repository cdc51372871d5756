package org.seqlab.core;

/**
 * Multi-hot frame batch (piano roll): {@code inputs[(row * length + t) * width + k]} is 1 when unit
 * {@code k} is on at step {@code t}; {@code targets} holds the next frame in the same layout.
 */
public record FrameBatch(int rows, int length, int width, float[] inputs, float[] targets, float[] mask,
                         boolean continues) implements VectorBatch {
    public FrameBatch {
        VectorBatch.checkArrays("frame", rows, length, width, inputs, targets, mask);
    }

    @Override
    public OutputKind kind() {
        return OutputKind.FRAMES;
    }
}
