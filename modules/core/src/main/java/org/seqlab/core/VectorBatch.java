package org.seqlab.core;

import java.util.Locale;

/**
 * A batch with a dense vector per step, {@code inputs[(row * length + t) * width + k]}, and targets
 * in the same layout: multi-hot piano-roll frames or real-valued series. Families feed both the same
 * way; only the output (sigmoid or linear) and the loss differ, which {@link #kind()} says.
 */
public sealed interface VectorBatch extends Batch permits FrameBatch, ValueBatch {
    int width();

    float[] inputs();

    float[] targets();

    /** What the targets are: {@link OutputKind#FRAMES} or {@link OutputKind#VALUES}. */
    OutputKind kind();

    /** Throws when this batch is not of the kind and width {@code shape} predicts. */
    default void requireShape(ModelShape shape) {
        if (shape.kind() != kind() || shape.width() != width())
            throw new IllegalArgumentException(kind().name().toLowerCase(Locale.ROOT) + " batch of width " + width()
                    + " does not match the model's shape " + shape);
    }

    /** The array-length checks both record types run in their constructors. */
    static void checkArrays(String what, int rows, int length, int width, float[] inputs, float[] targets, float[] mask) {
        int n = rows * length;
        if (rows < 1 || length < 1 || width < 1)
            throw new IllegalArgumentException("empty batch " + rows + "x" + length + "x" + width);
        if (inputs.length != n * width || targets.length != n * width || mask.length != n)
            throw new IllegalArgumentException(what + " batch arrays do not match " + rows + "x" + length + "x" + width);
    }
}
