package org.seqlab.core;

/**
 * The forecasts a time-series model must beat, each made from what is known at the forecast
 * origin {@code t = j - h} of target {@code j} (h = horizon), on one series {@code y}:
 * <ul>
 *   <li>last value: {@code y[t]};</li>
 *   <li>seasonal naive: the latest value of the same season, {@code y[j - m ceil(h/m)]};</li>
 *   <li>moving average: the mean of the {@code w} values up to the origin, {@code y[t-w+1 .. t]}.</li>
 * </ul>
 * Each returns the predictions for targets {@code from .. to-1}.
 */
public final class NaiveForecasts {
    private NaiveForecasts() {}

    public static double[] lastValue(double[] y, int from, int to, int horizon) {
        double[] p = new double[to - from];
        for (int j = from; j < to; j++) p[j - from] = y[j - horizon];
        return p;
    }

    public static double[] seasonal(double[] y, int from, int to, int horizon, int season) {
        int back = season * ((horizon + season - 1) / season);
        double[] p = new double[to - from];
        for (int j = from; j < to; j++) p[j - from] = y[j - back];
        return p;
    }

    public static double[] movingAverage(double[] y, int from, int to, int horizon, int window) {
        double[] p = new double[to - from];
        for (int j = from; j < to; j++) {
            double sum = 0;
            for (int t = j - horizon - window + 1; t <= j - horizon; t++) sum += y[t];
            p[j - from] = sum / window;
        }
        return p;
    }

    /** How far back the forecasts reach from the first target: it needs this many earlier values. */
    public static int history(int horizon, int season, int window) {
        return Math.max(season * ((horizon + season - 1) / season), horizon + window - 1);
    }
}
