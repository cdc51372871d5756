package org.seqlab.rnn;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TrainingOptions;

import java.io.IOException;
import java.nio.file.Path;

/** {@code family: handrolled}: the from-scratch recurrent networks on ND4J arrays. */
public final class HandRolledFamily implements ModelFamily {
    @Override
    public String key() {
        return HandRolledModel.FAMILY;
    }

    @Override
    public String description() {
        return "hand-rolled recurrent network with explicit BPTT on ND4J arrays (cells: rnn, lstm, gru); tokens, frames and values";
    }

    @Override
    public Class<? extends ModelConfig> configType() {
        return HandRolledConfig.class;
    }

    @Override
    public boolean supports(OutputKind kind) {
        return true;
    }

    @Override
    public void validate(ModelConfig config, ModelShape shape) {
        org.seqlab.core.FramePrior.checkApplies(((HandRolledConfig) config).framePrior(), shape);
        org.seqlab.core.head.Heads.checkApplies(((HandRolledConfig) config).head(), shape);
    }

    @Override
    public SequenceModel create(ModelConfig config, ModelShape shape, TrainingOptions options, long seed) {
        return new HandRolledModel((HandRolledConfig) config, shape, options, seed);
    }

    @Override
    public SequenceModel load(Path dir) throws IOException {
        return HandRolledModel.load(dir);
    }
}
