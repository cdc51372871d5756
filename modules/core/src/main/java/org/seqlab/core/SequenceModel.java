package org.seqlab.core;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one contract every model family implements: a hand-rolled network, a DL4J
 * MultiLayerNetwork and a SameDiff graph all sit behind it. Nothing backend-specific crosses it:
 * batches and outputs are plain arrays, losses are plain sums.
 *
 * <p>Losses are in nats (squared error for {@link OutputKind#VALUES}), summed over real (unmasked)
 * steps, so that {@link Metrics} derives loss/token, perplexity, bits/token and accuracy in one
 * place. A family states which {@link OutputKind}s it handles with {@link ModelFamily#supports}.
 */
public interface SequenceModel extends AutoCloseable {
    /** The run label from the config (e.g. "rnn-128"). */
    String name();

    /** The family key from the registry (e.g. "rnn"). */
    String family();

    ModelConfig config();

    ModelShape shape();

    long seed();

    long parameterCount();

    /**
     * One optimisation step: forward, backward (with the configured gradient clipping) and update
     * at {@code learningRate}. Returns the loss of the batch before the update.
     */
    EvalStats trainStep(Batch batch, double learningRate);

    /** Forward only, no dropout, no update. */
    EvalStats evaluate(Batch batch);

    /**
     * {@link #evaluate}, split by row: element {@code r} holds row {@code r}'s sums (zero counts for
     * an all-padding row), and they add up to what {@code evaluate} returns. It carries state over
     * a continued batch exactly as {@code evaluate} does, so a pass of these calls scores every
     * test example as the test pass does; the runner keeps them for paired comparisons.
     */
    EvalStats[] evaluateRows(Batch batch);

    /**
     * Swaps the weights with their exponential moving average when the optimiser keeps one
     * ({@code optimizer.ema}), so that evaluation, samples and {@link #save} use the average; a
     * second call swaps back. Returns false, changing nothing, when there is no average. The
     * trainer validates and checkpoints between two such calls; training steps in between are refused.
     */
    default boolean swapAveragedWeights() {
        return false;
    }

    /**
     * Raw output logits for every step of a batch, row-major {@code [rows * length * width]}: used
     * by tests (save/load identity, generator consistency) and by analysis tools. For a
     * {@link OutputKind#VALUES} model the raw output is the prediction itself (identity output).
     */
    float[] logits(Batch batch);

    /** A fresh stateful stepper that shares this model's weights. */
    Generator generator();

    /**
     * Write everything needed to rebuild this model, weights and optimiser state included, into
     * {@code dir} (which exists and is empty). {@link ModelFamily#load} must give bit-identical
     * outputs.
     */
    void save(Path dir) throws IOException;

    /**
     * Gives back the model's native (off-heap) memory now rather than whenever the Java GC gets to
     * it: the runner closes each model before the next one starts, so an experiment's peak memory is
     * its largest model's, not the sum. The model must not be used afterwards; closing twice is allowed.
     */
    @Override
    void close();
}
