package org.seqlab.rnn;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * One recurrent layer with explicit forward and backward passes over a whole sequence. Inputs and
 * outputs are time-major matrices: row {@code t * B + b} is step t of sequence b. Arrays returned
 * by a cell belong to its per-shape scratch space and stay valid until its next forward of the
 * same shape.
 */
interface RecurrentCell {
    int inputSize();

    int hiddenSize();

    /** Number of state arrays carried between steps (1 for h, 2 for LSTM's h and c). */
    int stateCount();

    /**
     * Runs {@code T} steps over {@code x} [T*B, in] from {@code state} (each [B, H]; null = zeros)
     * and returns the hidden outputs [T*B, H]. Keeps what backward needs ({@code x} included).
     */
    INDArray forward(INDArray x, int steps, int batch, INDArray[] state);

    /** The state after the last forward step (copies, safe to keep). */
    INDArray[] finalState();

    /** The [T*B, H] array the caller fills with dL/d(outputs) before {@link #backward}. */
    INDArray outputGradient();

    /**
     * Backpropagates {@link #outputGradient()} (consumed) through time, writes this cell's parameter
     * gradients, and writes dL/d(input) into {@code inputGradient} when it is not null.
     */
    void backward(INDArray inputGradient);

    /** One generation step for {@code x} [B, in]; updates {@code state} in place and returns h [B, H]. */
    INDArray step(INDArray x, INDArray[] state);

    /**
     * The activations of the last {@link #step}, by name ("hidden", and gates such as "forget
     * gate"), for the hidden-state pictures.
     */
    Map<String, INDArray> lastActivations();
}
