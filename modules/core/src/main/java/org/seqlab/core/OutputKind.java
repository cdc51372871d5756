package org.seqlab.core;

/**
 * What a model predicts at each step. Decided once for every family so that text, music and time
 * series share one contract.
 */
public enum OutputKind {
    /** Next token over a vocabulary: softmax output, cross-entropy loss, accuracy = argmax hits. */
    TOKENS,
    /**
     * Next multi-hot frame (e.g. 88 piano keys): independent sigmoid per unit, loss = sum of binary
     * cross-entropies over units, accuracy = TP / (TP + FP + FN) over all frames.
     */
    FRAMES,
    /**
     * Real values (one or several series, normalised): linear (identity) output, loss = squared
     * error summed over units with no 1/2 factor, so the mean loss per step is the summed MSE and
     * dL/dy = 2 (y - target); accuracy does not apply (no hits are counted).
     */
    VALUES
}
