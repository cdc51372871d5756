package org.seqlab.core;

/**
 * Gradient clipping applied inside every family's training step.
 *
 * @param mode      none; value (clip every gradient entry to [-threshold, threshold], as the
 *                  course's {@code clip}); norm (rescale all gradients so their global L2 norm is at
 *                  most threshold)
 * @param threshold the clip value or maximum norm
 */
public record ClipSpec(Mode mode, Double threshold) {
    public enum Mode { NONE, VALUE, NORM }

    public static final ClipSpec DEFAULT = new ClipSpec(Mode.NORM, 5.0);

    public ClipSpec {
        if (mode == null) mode = Mode.NORM;
        if (threshold == null) threshold = 5.0;
        if (mode != Mode.NONE) Check.positive("threshold", threshold);
    }
}
