package org.seqlab.core.train;

/**
 * Stops a run whose loss has blown up: NaN/infinite, above a ceiling no learning model reaches
 * (the runner's: twice the uniform prediction's loss), or more than {@code factor} times the best
 * value seen so far. The ceiling catches a run that blows up at once, whose best is already huge.
 * Training losses are smoothed first (single batches are noisy), and the guard only arms after a
 * few observations.
 */
public final class DivergenceGuard {
    private final String what;
    private final double factor;
    private final double smoothing;
    private final int warmup;
    private double ceiling = Double.POSITIVE_INFINITY;
    private String ceilingWhy;
    private double smoothed = Double.NaN;
    private double best = Double.POSITIVE_INFINITY;
    private long seen;

    /**
     * @param smoothing weight of the newest value in the running average (1 = no smoothing)
     * @param warmup    observations before the ratio test applies (NaN always trips)
     */
    public DivergenceGuard(String what, double factor, double smoothing, int warmup) {
        this.what = what;
        this.factor = factor;
        this.smoothing = smoothing;
        this.warmup = warmup;
    }

    /** Also stops when the (smoothed) loss goes above {@code ceiling}; {@code why} says what that is. */
    public DivergenceGuard ceiling(double ceiling, String why) {
        this.ceiling = ceiling;
        this.ceilingWhy = why;
        return this;
    }

    /** Records a loss; returns why the run diverged, or null when all is well. */
    public String observe(double loss) {
        if (!Double.isFinite(loss)) return what + " is " + loss;
        smoothed = seen == 0 ? loss : smoothed + smoothing * (loss - smoothed);
        seen++;
        if (seen > warmup && smoothed > ceiling)
            return String.format("%s %.4f is above %.4f, %s", what, smoothed, ceiling, ceilingWhy);
        if (seen > warmup && smoothed > factor * best)
            return String.format("%s %.4f is more than %.1f× its best %.4f", what, smoothed, factor, best);
        if (seen >= warmup) best = Math.min(best, smoothed);
        return null;
    }

    public double smoothed() {
        return smoothed;
    }
}
