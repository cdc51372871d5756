package org.seqlab.core.train;

import org.seqlab.core.Check;
import org.seqlab.core.FieldException;

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

    /** The settings each type uses (the others would be ignored). */
    private static final java.util.Map<Type, java.util.Set<String>> USES = java.util.Map.of(
            Type.CONSTANT, java.util.Set.of(),
            Type.COSINE, java.util.Set.of("warmup_steps", "min_factor"),
            Type.STEP, java.util.Set.of("every_steps", "factor"),
            Type.EXPONENTIAL, java.util.Set.of("every_steps", "factor"),
            Type.PLATEAU, java.util.Set.of("factor", "patience"));

    /**
     * Refuses a setting that a schedule of {@code type} does not use, which would otherwise be
     * silently ignored. Checked where a user writes a schedule (the config loader), not in the
     * constructor: results.json files carry every setting, defaults included.
     */
    public static void checkGiven(Type type, java.util.Collection<String> given) {
        Type t = type == null ? Type.CONSTANT : type;
        for (String key : given)
            if (!key.equals("type") && !USES.get(t).contains(key))
                throw new FieldException(key, "does not apply to a " + t.name().toLowerCase(java.util.Locale.ROOT) + " schedule"
                        + (USES.get(t).isEmpty() ? ", which takes no settings" : " (it takes " + String.join(", ", new java.util.TreeSet<>(USES.get(t))) + ")"));
    }

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
        if (!(factor > 0 && factor <= 1))     // 0 would leave a rate of 0 after the first decay
            throw new FieldException("factor", "must be in (0, 1], got " + factor);
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
