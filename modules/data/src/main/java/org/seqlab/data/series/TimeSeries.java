package org.seqlab.data.series;

import java.util.List;

/**
 * A loaded time series, one row per time step, in chronological order.
 *
 * @param name          short name for reports
 * @param source        where it came from (path or builtin id)
 * @param sha256        hash of the raw file (or of the generated values), for provenance
 * @param columns       the name of each series
 * @param dates         the date label of each row as written in the file, or null without a date column
 * @param values        {@code values[t][k]}: series k at step t, in original units
 * @param noiseVariance variance of the unpredictable part when the generating process is known
 *                      (the best possible MSE), else null
 * @param notes         what reading changed, for the report (e.g. rows dropped for missing values)
 */
public record TimeSeries(String name, String source, String sha256, List<String> columns, List<String> dates,
                         double[][] values, Double noiseVariance, List<String> notes) {
    public int length() {
        return values.length;
    }

    public int width() {
        return columns.size();
    }
}
