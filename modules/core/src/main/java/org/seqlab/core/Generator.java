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

    /** Forget all state: the next call starts a fresh sequence. */
    void reset();
}
