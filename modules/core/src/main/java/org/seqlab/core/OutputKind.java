package org.seqlab.core;

/**
 * What a model predicts at each step. Decided once for every family so that text and music share
 * one contract.
 */
public enum OutputKind {
    /** Next token over a vocabulary: softmax output, cross-entropy loss, accuracy = argmax hits. */
    TOKENS,
    /**
     * Next multi-hot frame (e.g. 88 piano keys): independent sigmoid per unit, loss = sum of binary
     * cross-entropies over units, accuracy = TP / (TP + FP + FN) over all frames.
     */
    FRAMES
}
