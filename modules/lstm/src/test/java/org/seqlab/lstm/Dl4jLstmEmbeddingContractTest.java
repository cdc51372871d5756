package org.seqlab.lstm;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.testkit.SequenceModelContract;

/** The contract again with embedding input, two layers of different sizes and a projection. */
class Dl4jLstmEmbeddingContractTest extends SequenceModelContract {
    @Override
    protected ModelFamily family() {
        return new Dl4jLstmFamily();
    }

    @Override
    protected ModelConfig smallConfig() {
        return new Dl4jLstmConfig("dl4j-emb", null, java.util.List.of(32, 24), null, null, null, null, null,
                Dl4jLstmConfig.Input.EMBEDDING, 16, 16, null, null, null, null);
    }

    @Override
    protected int overfitSteps() {
        return 150;
    }

    @Override
    protected double overfitLearningRate() {
        return 3e-2;
    }
}
