package org.seqlab.lstm;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.testkit.SequenceModelContract;

/** The testkit contract for DL4J's LSTM. */
class Dl4jLstmContractTest extends SequenceModelContract {
    @Override
    protected ModelFamily family() {
        return new Dl4jLstmFamily();
    }

    @Override
    protected ModelConfig smallConfig() {
        return new Dl4jLstmConfig("dl4j-test", 32, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
