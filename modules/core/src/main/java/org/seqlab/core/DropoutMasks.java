package org.seqlab.core;

import java.util.SplittableRandom;

/**
 * Inverted dropout masks drawn from one seeded stream in one canonical layout, so that twin
 * families (the hand-rolled LSTM and the DL4J LSTM) built with the same seed drop the same units at
 * every training step, and their curves with dropout agree as closely as without it.
 * <p>
 * A mask covers one layer's output over a batch, in the order [step][row][unit] (step t of row b,
 * unit j at (t·rows + b)·units + j), and holds 0 (dropped, probability p) or 1/(1-p) (kept), so
 * evaluation needs no change. A family draws one mask per layer output that dropout follows, in
 * network order, once per training step, and maps it into its own layout.
 */
public final class DropoutMasks {
    private final double rate;
    private final SplittableRandom random;

    /** @param rate the probability p of dropping a unit, in [0, 1) */
    public DropoutMasks(double rate, long seed) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    }

    public double rate() {
        return rate;
    }

    /**
     * The next mask of {@code length} values into {@code m} (single precision). Each 64-bit draw
     * decides two units, each by its 32-bit half against (1-p)·2³² (the keep probability to 2e-10):
     * half the generator's work of a draw per unit, and no branch to mispredict.
     */
    public void fill(float[] m, int length) {
        float kept = (float) (1 / (1 - rate));
        long threshold = threshold();
        int i = 0;
        for (; i + 1 < length; i += 2) {
            long r = random.nextLong();
            m[i] = (r & 0xFFFFFFFFL) < threshold ? kept : 0f;
            m[i + 1] = (r >>> 32) < threshold ? kept : 0f;
        }
        if (i < length) m[i] = (random.nextLong() & 0xFFFFFFFFL) < threshold ? kept : 0f;
    }

    /** The next mask of {@code length} values into {@code m} (double precision), as {@link #fill(float[], int)}. */
    public void fill(double[] m, int length) {
        double kept = 1 / (1 - rate);
        long threshold = threshold();
        int i = 0;
        for (; i + 1 < length; i += 2) {
            long r = random.nextLong();
            m[i] = (r & 0xFFFFFFFFL) < threshold ? kept : 0;
            m[i + 1] = (r >>> 32) < threshold ? kept : 0;
        }
        if (i < length) m[i] = (random.nextLong() & 0xFFFFFFFFL) < threshold ? kept : 0;
    }

    private long threshold() {
        return Math.round((1 - rate) * 4294967296.0);
    }
}
