package org.seqlab.core;

/**
 * What a model must know when it is built in order to train: the optimiser, gradient clipping and
 * how its weights start. The learning rate itself comes with every {@link SequenceModel#trainStep}
 * call so that one schedule in core drives every family.
 */
public record TrainingOptions(OptimizerSpec optimizer, ClipSpec clip, InitScheme init) {
    public static final TrainingOptions DEFAULT = new TrainingOptions(OptimizerSpec.DEFAULT, ClipSpec.DEFAULT, InitScheme.DEFAULT);

    public TrainingOptions {
        if (optimizer == null) optimizer = OptimizerSpec.DEFAULT;
        if (clip == null) clip = ClipSpec.DEFAULT;
        if (init == null) init = InitScheme.DEFAULT;     // also a checkpoint saved before init was a setting
    }

    /** These options with the default initialisation. */
    public TrainingOptions(OptimizerSpec optimizer, ClipSpec clip) {
        this(optimizer, clip, null);
    }

    /** These options with initialisation {@code scheme}. */
    public TrainingOptions withInit(InitScheme scheme) {
        return new TrainingOptions(optimizer, clip, scheme);
    }
}
