package org.seqlab.core.train;

import org.seqlab.core.Check;

/**
 * Learning rate as a function of the step, the same for every family.
 *
 * @param type        constant; cosine (linear warmup then cosine decay to min_factor × lr);
 *                    step (multiply by factor every every_steps); exponential (factor per epoch-sized
 *                    every_steps, smoothly); plateau (reduce on plateau of validation loss)
 * @param warmupSteps linear warmup from 0 (cosine only)
 * @param minFactor   floor of the cosine schedule as a fraction of the base rate
 * @param everySteps  decay interval for step/exponential
 * @param factor      decay factor for step/exponential/plateau
 * @param patience    plateau only: epochs without a new best validation loss before the rate is
 *                    multiplied by factor (reduce-on-plateau; applied by the {@link Trainer})
 */
public record LearningRateSchedule(Type type, Integer warmupSteps, Double minFactor, Integer everySteps,
                                   Double factor, Integer patience) {
    public enum Type { CONSTANT, COSINE, STEP, EXPONENTIAL, PLATEAU }

    public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Type.CONSTANT, null, null, null, null, null);

    public LearningRateSchedule {
        if (type == null) type = Type.CONSTANT;
        if (warmupSteps == null) warmupSteps = 0;
        if (minFactor == null) minFactor = 0.1;
        if (everySteps == null) everySteps = 1000;
        if (factor == null) factor = 0.5;
        if (patience == null) patience = 2;
        Check.atLeast("warmup_steps", warmupSteps, 0);
        Check.range("min_factor", minFactor, 0, 1, true);
        Check.atLeast("every_steps", everySteps, 1);
        Check.range("factor", factor, 0, 1, true);
        Check.atLeast("patience", patience, 1);
    }

    /** The rate at {@code step} (0-based) of {@code totalSteps}. */
    public double at(double baseRate, long step, long totalSteps) {
        return switch (type) {
            case CONSTANT, PLATEAU -> baseRate;
            case STEP -> baseRate * Math.pow(factor, step / everySteps);
            case EXPONENTIAL -> baseRate * Math.pow(factor, step / (double) everySteps);
            case COSINE -> {
                if (step < warmupSteps) yield baseRate * (step + 1) / warmupSteps;
                double progress = Math.min(1, (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps));
                yield baseRate * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
            }
        };
    }
}
