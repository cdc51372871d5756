package org.seqlab.rnn;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.testkit.SequenceModelContract;

/** The testkit contract for the hand-rolled LSTM cell. */
class LstmContractTest extends SequenceModelContract {
    @Override
    protected ModelFamily family() {
        return new HandRolledFamily();
    }

    @Override
    protected ModelConfig smallConfig() {
        return HandRolledConfig.of("lstm-test", HandRolledConfig.Cell.LSTM, 32);
    }
}
