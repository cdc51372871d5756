package org.seqlab.core.train;

/** Progress events from the {@link Trainer}; the CLI draws a progress bar, tests stay silent. */
public interface TrainingListener {
    default void onStart(String run, long totalSteps) {}

    default void onStep(long step, double smoothedLoss, double lr) {}

    default void onEpoch(EpochRecord record) {}

    /**
     * Asked after each epoch's validation: a non-null answer stops the run there (e.g. a sweep's
     * median stopping rule), recorded as the stop reason. The best checkpoint so far is kept.
     */
    default String stopAfter(EpochRecord record) {
        return null;
    }

    default void onMessage(String message) {}

    default void onEnd() {}

    TrainingListener SILENT = new TrainingListener() {};
}
