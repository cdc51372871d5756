package org.seqlab.rnn;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.testkit.SequenceModelContract;

/** The testkit contract for the hand-rolled RNN cell. */
class RnnContractTest extends SequenceModelContract {
    @Override
    protected ModelFamily family() {
        return new HandRolledFamily();
    }

    @Override
    protected ModelConfig smallConfig() {
        return HandRolledConfig.of("rnn-test", HandRolledConfig.Cell.RNN, 32);
    }
}
