package org.seqlab.core;

/**
 * A mini-batch of {@code rows} sequences of {@code length} steps, flattened row-major
 * (index {@code row * length + t}). Plain arrays so that no backend type leaks into the contract;
 * each family turns a batch into its own tensors with one copy.
 *
 * <p>{@code mask[row * length + t]} is 1 for a real step and 0 for padding. Padding is always a
 * suffix of a row (ragged lengths), so causal models ignore it by construction.
 *
 * <p>{@code continues} says that row {@code r} of this batch carries on row {@code r} of the
 * previous batch (a sequential pass or truncated BPTT): stateful models start from the hidden
 * state they ended the previous batch with instead of zeros.
 */
public sealed interface Batch permits TokenBatch, VectorBatch {
    int rows();

    int length();

    float[] mask();

    boolean continues();

    /** Number of real (unmasked) steps. */
    default long steps() {
        long n = 0;
        for (float m : mask()) if (m != 0f) n++;
        return n;
    }

    static float[] fullMask(int rows, int length) {
        float[] mask = new float[rows * length];
        java.util.Arrays.fill(mask, 1f);
        return mask;
    }
}
