package org.seqlab.data.series;

import org.seqlab.core.Sha256;

import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code builtin:seasonal}: a synthetic series with a known best possible forecast error,
 * <pre>
 *   y_t = 10 + 0.002 t + 2 sin(2 pi t / p1) + sin(2 pi t / p2 + 1) + e_t,   e_t ~ N(0, noise^2) i.i.d.
 * </pre>
 * a level with a slow trend, two seasonalities and Gaussian noise. Everything but the noise is a
 * deterministic function of t, so no forecaster can do better on average than MSE = noise^2, the
 * optimum the report shows. The level keeps values far from zero so that MAPE is meaningful.
 */
public final class SeasonalSeries {
    public static final String SOURCE = "builtin:seasonal";
    static final double LEVEL = 10, SLOPE = 0.002, AMPLITUDE1 = 2, AMPLITUDE2 = 1, PHASE2 = 1;

    private SeasonalSeries() {}

    /** The noise-free part at step t. */
    public static double signal(int t, int period1, int period2) {
        return LEVEL + SLOPE * t + AMPLITUDE1 * Math.sin(2 * Math.PI * t / period1)
                + AMPLITUDE2 * Math.sin(2 * Math.PI * t / period2 + PHASE2);
    }

    public static TimeSeries generate(SeriesConfig c) {
        int p1 = c.periods().get(0), p2 = c.periods().get(1);
        SplittableRandom random = new SplittableRandom(c.generatorSeed());
        double[][] v = new double[c.length()][1];
        StringBuilder text = new StringBuilder();
        for (int t = 0; t < v.length; t++) {
            v[t][0] = signal(t, p1, p2) + c.noise() * random.nextGaussian();
            text.append(v[t][0]).append('\n');
        }
        String source = SOURCE + "?length=" + c.length() + "&periods=" + p1 + "," + p2 + "&noise=" + c.noise()
                + "&seed=" + c.generatorSeed();
        return new TimeSeries("seasonal", source, Sha256.of(text.toString()), List.of("y"), null, v,
                c.noise() * c.noise(), List.of());
    }
}
