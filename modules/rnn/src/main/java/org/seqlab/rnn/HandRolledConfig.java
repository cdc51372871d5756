package org.seqlab.rnn;

import org.seqlab.core.Check;
import org.seqlab.core.ModelConfig;

/**
 * Options of the hand-rolled family ({@code family: handrolled}).
 *
 * @param name      run label in reports (default: the cell name)
 * @param cell      recurrent cell: rnn (tanh)
 * @param hidden    hidden units
 * @param precision float for training, double for exact gradient checks
 */
public record HandRolledConfig(String name, Cell cell, Integer hidden, Precision precision) implements ModelConfig {
    public enum Cell { RNN }

    public enum Precision { FLOAT, DOUBLE }

    public HandRolledConfig {
        if (cell == null) cell = Cell.RNN;
        if (name == null) name = cell.name().toLowerCase(java.util.Locale.ROOT);
        if (hidden == null) hidden = 128;
        if (precision == null) precision = Precision.FLOAT;
        Check.atLeast("hidden", hidden, 1);
    }

    public static HandRolledConfig of(String name, int hidden) {
        return new HandRolledConfig(name, Cell.RNN, hidden, null);
    }
}
