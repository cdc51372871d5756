package org.seqlab.core.train;

/** Progress events from the {@link Trainer}; the CLI draws a progress bar, tests stay silent. */
public interface TrainingListener {
    default void onStart(String run, long totalSteps) {}

    default void onStep(long step, double smoothedLoss, double lr) {}

    default void onEpoch(EpochRecord record) {}

    default void onMessage(String message) {}

    default void onEnd() {}

    TrainingListener SILENT = new TrainingListener() {};
}
