package org.seqlab.rnn;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.testkit.SequenceModelContract;

/** The testkit contract for a two-layer LSTM stack (dropout off: the contract needs exact replays). */
class StackedContractTest extends SequenceModelContract {
    @Override
    protected ModelFamily family() {
        return new HandRolledFamily();
    }

    @Override
    protected ModelConfig smallConfig() {
        return new HandRolledConfig("stack", HandRolledConfig.Cell.LSTM, 24, 2, 0.0, null, null, null);
    }

    @Override
    protected int overfitSteps() {
        return 500; // two layers take a little longer to memorise
    }
}
