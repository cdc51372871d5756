package org.seqlab.core;

/**
 * {@code frame_prior}: the probability a frame model's keys start at (their mean on-rate), so that a
 * piano-roll model begins near the independent-keys baseline instead of at ln 2 per key. The same
 * rules for every family that offers it.
 */
public final class FramePrior {
    private FramePrior() {}

    /** In a config's constructor: a probability strictly between 0 and 1, or absent. */
    public static void check(Double p) {
        if (p != null && !(p > 0 && p < 1)) throw new FieldException("frame_prior", "must be in (0, 1), got " + p);
    }

    /** In a family's validate: only frame data has keys to start at a prior. */
    public static void checkApplies(Double p, ModelShape shape) {
        if (p != null && shape.kind() != OutputKind.FRAMES)
            throw new FieldException("frame_prior", "applies to piano-roll (frame) data only");
    }

    /** The output bias that makes every key start at probability {@code p}: its log-odds. */
    public static double bias(double p) {
        return Math.log(p / (1 - p));
    }
}
