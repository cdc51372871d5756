package org.seqlab.core;

/**
 * What a model must know when it is built in order to train: the optimiser and gradient clipping.
 * The learning rate itself comes with every {@link SequenceModel#trainStep} call so that one
 * schedule in core drives every family.
 */
public record TrainingOptions(OptimizerSpec optimizer, ClipSpec clip) {
    public static final TrainingOptions DEFAULT = new TrainingOptions(OptimizerSpec.DEFAULT, ClipSpec.DEFAULT);

    public TrainingOptions {
        if (optimizer == null) optimizer = OptimizerSpec.DEFAULT;
        if (clip == null) clip = ClipSpec.DEFAULT;
    }
}
