package org.seqlab.core;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model family: builds fresh models from a config and loads saved ones. The experiments module
 * keeps one registry of families; adding a family is one module plus one registry line.
 */
public interface ModelFamily {
    /** The YAML {@code family:} value. */
    String key();

    /** One-line description for {@code seqlab families} and the docs. */
    String description();

    /** The record type that holds this family's options (bound strictly from YAML). */
    Class<? extends ModelConfig> configType();

    /**
     * Output kinds this family supports. A family that returns true for {@link OutputKind#VALUES}
     * takes {@link ValueBatch}es, has an identity output trained on {@link OutputLoss}'s squared
     * error, and passes the testkit's value checks (they run only when this says true).
     */
    default boolean supports(OutputKind kind) {
        return kind == OutputKind.TOKENS;
    }

    /**
     * Checks that {@code config} can model data of {@code shape}, before anything runs; throws a
     * {@link FieldException} naming the offending option.
     */
    default void validate(ModelConfig config, ModelShape shape) {}

    /** What models of {@code config} can do with data of {@code shape}; everything, unless a family says otherwise. */
    default Capabilities capabilities(ModelConfig config, ModelShape shape) {
        return Capabilities.ALL;
    }

    SequenceModel create(ModelConfig config, ModelShape shape, TrainingOptions options, long seed);

    SequenceModel load(Path dir) throws IOException;
}
