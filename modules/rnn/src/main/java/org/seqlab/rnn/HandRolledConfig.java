package org.seqlab.rnn;

import org.seqlab.core.Check;
import org.seqlab.core.FieldException;
import org.seqlab.core.ModelConfig;

/**
 * Options of the hand-rolled family ({@code family: handrolled}).
 *
 * @param name       run label in reports (default: the cell name)
 * @param cell       recurrent cell: rnn (tanh), lstm or gru
 * @param hidden     hidden units per layer
 * @param layers     stacked recurrent layers
 * @param dropout    inverted dropout on every recurrent layer's output during training (drop
 *                   probability): between stacked layers and before the output layer, as dl4j-lstm
 * @param forgetBias LSTM only: the forget-gate bias to start from (1 keeps memory open early on);
 *                   unset, training.init's (1 under xavier, drawn as every bias otherwise)
 * @param precision  float for training, double for exact gradient checks
 * @param framePrior frame models only: initial probability of each unit being on (the output bias
 *                   starts at its log-odds; e.g. 0.04 for piano rolls, where few keys sound at once);
 *                   unset, every unit starts at 0.5
 * @param output     the output head ({@link org.seqlab.core.head.Heads}): softmax, bernoulli, gaussian
 *                   or nade; unset, the data's own (softmax for tokens, bernoulli for frames,
 *                   gaussian for values)
 * @param nadeHidden output: nade only: units of the NADE layer (default 150)
 */
public record HandRolledConfig(String name, Cell cell, Integer hidden, Integer layers, Double dropout,
                               Double forgetBias, Precision precision, Double framePrior,
                               String output, Integer nadeHidden) implements ModelConfig {
    public enum Cell { RNN, LSTM, GRU }

    public enum Precision { FLOAT, DOUBLE }

    public HandRolledConfig {
        if (cell == null) cell = Cell.RNN;
        if (name == null) name = cell.name().toLowerCase(java.util.Locale.ROOT);
        if (hidden == null) hidden = 128;
        if (layers == null) layers = 1;
        if (dropout == null) dropout = 0.0;
        if (precision == null) precision = Precision.FLOAT;
        Check.atLeast("hidden", hidden, 1);
        Check.atLeast("layers", layers, 1);
        Check.range("dropout", dropout, 0, 1, false);
        org.seqlab.core.FramePrior.check(framePrior);
        if (cell != Cell.LSTM && forgetBias != null && forgetBias != 1.0)     // 1.0: what checkpoints before init schemes recorded
            throw new FieldException("forget_bias", "applies to cell: lstm only");
        head(output, nadeHidden);
        if ("nade".equals(output) && nadeHidden == null) nadeHidden = org.seqlab.core.head.Heads.DEFAULT_NADE_HIDDEN;
    }

    public HandRolledConfig(String name, Cell cell, Integer hidden, Integer layers, Double dropout, Double forgetBias,
                            Precision precision, Double framePrior) {
        this(name, cell, hidden, layers, dropout, forgetBias, precision, framePrior, null, null);
    }

    private static org.seqlab.core.head.Heads.Spec head(String output, Integer nadeHidden) {
        return new org.seqlab.core.head.Heads.Spec(output, nadeHidden);
    }

    /** The output head's options. */
    public org.seqlab.core.head.Heads.Spec head() {
        return head(output, nadeHidden);
    }

    public static HandRolledConfig of(String name, Cell cell, int hidden) {
        return new HandRolledConfig(name, cell, hidden, null, null, null, null, null);
    }

    @Override
    public java.util.Map<String, Object> settings() {
        java.util.Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("cell", cell.name().toLowerCase(java.util.Locale.ROOT));
        s.put("hidden", hidden);
        s.put("layers", layers);
        s.put("dropout", dropout);
        if (output != null) s.put("output", output);
        if (nadeHidden != null) s.put("nade_hidden", nadeHidden);
        return s;
    }
}
