package org.seqlab.core.train;

/**
 * One point of a learning curve, taken after each epoch.
 *
 * @param tokensSeen training tokens consumed so far (for per-token comparisons)
 * @param seconds    wall-clock seconds of training so far (for time-to-loss comparisons)
 * @param trainLoss  mean training loss over the epoch (nats/token)
 */
public record EpochRecord(int epoch, long step, long tokensSeen, double seconds, double trainLoss,
                          double validLoss, double validAccuracy, double lr) {}
