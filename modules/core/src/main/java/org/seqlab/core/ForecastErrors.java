package org.seqlab.core;

/**
 * Point-forecast errors in the series' own units, averaged over every (target, series) pair.
 * MAPE leaves out targets that are exactly 0 (their percentage error is undefined) and counts them
 * in {@code mapeSkipped}.
 *
 * @param mse  mean squared error
 * @param mae  mean absolute error
 * @param mape mean absolute percentage error, in percent (NaN when every target is 0)
 */
public record ForecastErrors(double mse, double mae, double mape, long count, long mapeSkipped) {
    /** {@code truth[i][k]} against {@code predicted[i][k]}. */
    public static ForecastErrors of(double[][] truth, double[][] predicted) {
        double se = 0, ae = 0, pe = 0;
        long n = 0, skipped = 0;
        for (int i = 0; i < truth.length; i++)
            for (int k = 0; k < truth[i].length; k++) {
                double e = predicted[i][k] - truth[i][k];
                se += e * e;
                ae += Math.abs(e);
                n++;
                if (truth[i][k] == 0) skipped++;
                else pe += Math.abs(e / truth[i][k]);
            }
        return new ForecastErrors(se / n, ae / n, n > skipped ? 100 * pe / (n - skipped) : Double.NaN, n, skipped);
    }
}
