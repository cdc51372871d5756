package org.seqlab.transformer;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.testkit.SequenceModelContract;

/** The testkit contract for the SameDiff transformer (2 blocks, 2 heads, width 32). */
class TransformerContractTest extends SequenceModelContract {
    @Override
    protected ModelFamily family() {
        return new TransformerFamily();
    }

    @Override
    protected ModelConfig smallConfig() {
        return TransformerConfig.of("transformer-test", 2, 2, 32, 32);
    }
}
