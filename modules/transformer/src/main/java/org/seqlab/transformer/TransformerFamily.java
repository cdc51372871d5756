package org.seqlab.transformer;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TrainingOptions;

import java.io.IOException;
import java.nio.file.Path;

/** {@code family: transformer}: a decoder-only GPT written with SameDiff, trained on a CPU by its fused engine. */
public final class TransformerFamily implements ModelFamily {
    @Override
    public String key() {
        return TransformerModel.FAMILY;
    }

    @Override
    public String description() {
        return "decoder-only transformer (SameDiff graph; on a CPU a fused engine with the same results): causal multi-head attention, pre-LayerNorm, GELU MLP, learned or ALiBi positions";
    }

    @Override
    public Class<? extends ModelConfig> configType() {
        return TransformerConfig.class;
    }

    @Override
    public boolean supports(OutputKind kind) {
        return true;
    }

    @Override
    public void validate(ModelConfig config, ModelShape shape) {
        TransformerModel.validate((TransformerConfig) config, shape);
    }

    @Override
    public SequenceModel create(ModelConfig config, ModelShape shape, TrainingOptions options, long seed) {
        return new TransformerModel((TransformerConfig) config, shape, options, seed);
    }

    @Override
    public SequenceModel load(Path dir) throws IOException {
        return TransformerModel.load(dir);
    }
}
