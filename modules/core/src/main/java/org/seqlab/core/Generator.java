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

    /**
     * Draws the next frame from the distribution after the last {@link #nextFrame}, whose return
     * value is {@code output}: by default each key on its own, from its logit divided by
     * {@code temperature}; a family whose head makes the keys depend on each other draws through it.
     */
    default float[] sampleFrame(float[] output, double temperature, java.util.SplittableRandom random) {
        return org.seqlab.core.sample.Sampler.ofTemperature(temperature).sampleFrame(output, random);
    }

    /** Forget all state: the next call starts a fresh sequence. */
    void reset();
}
