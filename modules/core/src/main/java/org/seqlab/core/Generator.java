package org.seqlab.core;

/**
 * Stateful one-step-at-a-time inference for generation: feed one step, get the output logits for
 * the next one; the hidden state (or context window) is carried inside.
 */
public interface Generator {
    /** Feed token {@code token}; returns unnormalised log-probabilities (logits) over the vocabulary. */
    float[] next(int token);

    /** Feed a multi-hot frame; returns per-unit logits (sigmoid gives each unit's probability). */
    float[] nextFrame(float[] frame);

    /**
     * Feed one real-valued step (a {@link OutputKind#VALUES} model); returns the predicted values.
     * Both this and {@link #nextFrame} feed a dense vector, and a VALUES model's raw output is its
     * prediction, so by default this is {@code nextFrame}.
     */
    default float[] nextValues(float[] values) {
        return nextFrame(values);
    }

    /** Forget all state: the next call starts a fresh sequence. */
    void reset();
}
