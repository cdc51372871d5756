package org.seqlab.core.train;

import java.util.List;

/**
 * What a training run produced.
 *
 * @param history       one record per completed epoch
 * @param bestEpoch     epoch with the lowest validation loss (its weights are the "best" checkpoint)
 * @param stopReason    null when training ran its budget (or stopped early by patience); otherwise
 *                      why it stopped: "diverged ..." or a listener's reason such as "pruned ..."
 * @param trainSeconds  wall time of the whole run, validation included
 * @param stepSeconds   time spent in training steps only (for tokens/s)
 * @param tokensSeen    training tokens consumed
 */
public record TrainingResult(List<EpochRecord> history, int bestEpoch, double bestValidLoss, String stopReason,
                             double trainSeconds, double stepSeconds, long tokensSeen) {
    public double tokensPerSecond() {
        return stepSeconds > 0 ? tokensSeen / stepSeconds : Double.NaN;
    }

    public boolean diverged() {
        return stopReason != null && stopReason.startsWith("diverged");
    }

    public boolean pruned() {
        return stopReason != null && stopReason.startsWith("pruned");
    }
}
