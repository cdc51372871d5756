package org.seqlab.lstm;

import org.seqlab.core.Capabilities;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TrainingOptions;

import java.io.IOException;
import java.nio.file.Path;

/** {@code family: dl4j-lstm}: Deeplearning4j's LSTM layers in a MultiLayerNetwork. */
public final class Dl4jLstmFamily implements ModelFamily {
    @Override
    public String key() {
        return Dl4jLstmModel.FAMILY;
    }

    @Override
    public String description() {
        return "Deeplearning4j LSTM (MultiLayerNetwork): depth, dropout, embedding, projection, truncated BPTT";
    }

    @Override
    public Class<? extends ModelConfig> configType() {
        return Dl4jLstmConfig.class;
    }

    @Override
    public boolean supports(OutputKind kind) {
        return true;
    }

    @Override
    public void validate(ModelConfig config, ModelShape shape) {
        Dl4jLstmModel.validate((Dl4jLstmConfig) config, shape);
    }

    /** A bidirectional network reads the whole sequence at once: it neither generates nor carries state. */
    @Override
    public Capabilities capabilities(ModelConfig config, ModelShape shape) {
        return ((Dl4jLstmConfig) config).bidirectional() ? new Capabilities(false, false) : Capabilities.ALL;
    }

    @Override
    public SequenceModel create(ModelConfig config, ModelShape shape, TrainingOptions options, long seed) {
        return new Dl4jLstmModel((Dl4jLstmConfig) config, shape, options, seed);
    }

    @Override
    public SequenceModel load(Path dir) throws IOException {
        return Dl4jLstmModel.load(dir);
    }
}
