package org.seqlab.data.series;

/**
 * Per-series affine normalisation {@code (x - offset) / scale}, fitted on the training span only so
 * that nothing about the valid or test values leaks into training.
 */
public record Normalization(Kind kind, double[] offset, double[] scale) {
    public enum Kind { ZSCORE, MINMAX, NONE }

    /** Fits on rows {@code [0, end)} of {@code values[t][k]}. */
    public static Normalization fit(Kind kind, double[][] values, int end) {
        int w = values[0].length;
        double[] offset = new double[w], scale = new double[w];
        for (int k = 0; k < w; k++) {
            double sum = 0, sq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < end; t++) {
                double x = values[t][k];
                sum += x;
                sq += x * x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double mean = sum / end, std = Math.sqrt(Math.max(0, sq / end - mean * mean));
            switch (kind) {
                case ZSCORE -> { offset[k] = mean; scale[k] = std; }
                case MINMAX -> { offset[k] = min; scale[k] = max - min; }
                case NONE -> { offset[k] = 0; scale[k] = 1; }
            }
            if (!(scale[k] > 1e-12)) scale[k] = 1;     // a constant training span: shift only
        }
        return new Normalization(kind, offset, scale);
    }

    public double apply(double x, int series) {
        return (x - offset[series]) / scale[series];
    }

    public double invert(double y, int series) {
        return y * scale[series] + offset[series];
    }
}
