package org.seqlab.core;

/**
 * Multi-hot frame batch (piano roll): {@code inputs[(row * length + t) * width + k]} is 1 when unit
 * {@code k} is on at step {@code t}; {@code targets} holds the next frame in the same layout.
 */
public record FrameBatch(int rows, int length, int width, float[] inputs, float[] targets, float[] mask,
                         boolean continues) implements Batch {
    public FrameBatch {
        int n = rows * length;
        if (rows < 1 || length < 1 || width < 1)
            throw new IllegalArgumentException("empty batch " + rows + "x" + length + "x" + width);
        if (inputs.length != n * width || targets.length != n * width || mask.length != n)
            throw new IllegalArgumentException("frame batch arrays do not match " + rows + "x" + length + "x" + width);
    }
}
