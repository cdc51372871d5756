package org.seqlab.core.train;

import org.seqlab.core.Check;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.InitScheme;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.TrainingOptions;

/**
 * The {@code training:} section: the same budget and optimisation settings for every model of an
 * experiment, so that comparisons are fair.
 *
 * @param epochs            passes over the training split (one pass = as many random windows as
 *                          cover it once)
 * @param batchSize         sequences per batch
 * @param seqLen            steps per training window (backpropagation-through-time length); for
 *                          time series also the input window every prediction sees
 * @param lr                base learning rate
 * @param schedule          learning-rate schedule
 * @param optimizer         optimiser
 * @param clip              gradient clipping
 * @param evalBatchSize     lanes of the sequential evaluation pass
 * @param divergenceFactor  stop when the smoothed training loss exceeds this many times its best
 * @param batching          windows: random windows of seq_len, full BPTT in each (default);
 *                          sequential: contiguous lanes walked window by window with the hidden
 *                          state carried over (truncated BPTT); examples: one example per row,
 *                          padded and masked, full BPTT through it (seq_len unused): a line of
 *                          text (lines mode), or a whole tune of a piano roll (tunes dealt into new
 *                          batches of similar length every epoch; piano rolls' windows are whole
 *                          tunes walked in seq_len chunks with the state carried)
 * @param patience          early stopping: stop after this many epochs (validations, with eval_every) without a new best
 *                          validation loss (0 = off); the best weights are what gets evaluated
 * @param budgetTokens      fair budget: stop once this many training tokens were seen (0 = off)
 * @param budgetSeconds     fair budget: stop after this many seconds of training (0 = off); no
 *                          training step starts once a budget has run out: either ends the current
 *                          epoch early, with its validation (none when nothing trained since the last)
 * @param evalEvery         validate at every multiple of this many training steps as well as at each epoch's end
 *                          (0 = epoch ends only), as nanoGPT's eval_interval: learning curves with
 *                          points inside long epochs; a new best is checkpointed at any validation,
 *                          and patience and the plateau schedule then count validations
 * @param init              how every model's weights start, one scheme for every family (README,
 *                          "Initialisation and dropout"): pytorch, PyTorch's defaults per layer type
 *                          (recurrent weights and biases U(±1/√hidden), linear and output layers
 *                          U(±1/√fan_in), embeddings N(0, 1), no forget-gate offset); xavier, every
 *                          matrix N(0, 2/(fan_in + fan_out)) (a gate's width as fan-out), biases 0,
 *                          LSTM forget-gate bias 1; small_output (default), pytorch with an output
 *                          layer N(0, 0.02²) and bias 0, so the first loss is ln V. forget_bias and
 *                          frame_prior apply on top; the same scheme and seed give twin families (the
 *                          hand-rolled and the DL4J LSTM) identical starting weights
 */
public record TrainingConfig(Integer epochs, Integer batchSize, Integer seqLen, Double lr,
                             LearningRateSchedule schedule, OptimizerSpec optimizer, ClipSpec clip,
                             Integer evalBatchSize, Double divergenceFactor, Batching batching,
                             Integer patience, Long budgetTokens, Double budgetSeconds, Integer evalEvery,
                             InitScheme init) {
    public enum Batching { WINDOWS, SEQUENTIAL, EXAMPLES }

    public TrainingConfig {
        if (epochs == null) epochs = 10;
        if (batchSize == null) batchSize = 32;
        if (seqLen == null) seqLen = 32;
        if (lr == null) lr = 2e-3;
        if (schedule == null) schedule = LearningRateSchedule.CONSTANT;
        if (optimizer == null) optimizer = OptimizerSpec.DEFAULT;
        if (clip == null) clip = ClipSpec.DEFAULT;
        if (evalBatchSize == null) evalBatchSize = 32;
        if (divergenceFactor == null) divergenceFactor = 3.0;
        if (batching == null) batching = Batching.WINDOWS;
        if (patience == null) patience = 0;
        if (budgetTokens == null) budgetTokens = 0L;
        if (budgetSeconds == null) budgetSeconds = 0.0;
        if (evalEvery == null) evalEvery = 0;
        if (init == null) init = InitScheme.DEFAULT;
        Check.atLeast("eval_every", evalEvery, 0);
        Check.nonNegative("budget_tokens", budgetTokens);
        Check.nonNegative("budget_seconds", budgetSeconds);
        Check.atLeast("patience", patience, 0);
        Check.atLeast("epochs", epochs, 1);
        Check.atLeast("batch_size", batchSize, 1);
        Check.atLeast("seq_len", seqLen, 1);
        Check.positive("lr", lr);
        Check.atLeast("eval_batch_size", evalBatchSize, 1);
        if (!(divergenceFactor > 1) || Double.isInfinite(divergenceFactor)) throw new org.seqlab.core.FieldException("divergence_factor",
                "must be > 1, got " + divergenceFactor);
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * Steps per chunk of the sequential evaluation pass over a token stream: seq_len, but at least
     * 64. The pass carries state from chunk to chunk, so this sets how much one forward call does,
     * and a short training window does not turn evaluation into many tiny calls.
     */
    public int evalLength() {
        return Math.max(64, seqLen);
    }

    public TrainingOptions options() {
        return new TrainingOptions(optimizer, clip, init);
    }
}
