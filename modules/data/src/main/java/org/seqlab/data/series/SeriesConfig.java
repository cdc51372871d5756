package org.seqlab.data.series;

import org.seqlab.core.Check;
import org.seqlab.core.FieldException;

import java.util.List;

/**
 * The {@code data.series} section: how a time series is read, normalised and predicted, and the
 * naive forecasts it is compared with.
 *
 * @param valueColumn   CSV column to model: its header name or its number (1 = first column);
 *                      default: the last column
 * @param valueColumns  instead of value_column, several columns modelled together (multivariate:
 *                      each is an input and is predicted; metrics average over them)
 * @param dateColumn    optional CSV column of dates (name or number), e.g. 1949-01 or 1949-01-31: they
 *                      must increase, and label the report
 * @param header        whether the first CSV line names the columns; unset: it does when none of its
 *                      cells is a number
 * @param delimiter     CSV field separator (one character)
 * @param missing       empty or NA/NaN value cells: error (naming file and line), drop (the row),
 *                      interpolate (linearly between the neighbouring values) or previous (repeat the
 *                      last value)
 * @param normalize     zscore or minmax, fitted on the training span only, or none; metrics are
 *                      reported in the original units
 * @param horizon       predict the value this many steps ahead of the last input (1 = next value;
 *                      k = direct k-step-ahead)
 * @param season        season length of the seasonal naive baseline (12 for monthly data)
 * @param movingAverage window of the moving-average baseline
 * @param length        builtin:seasonal only: number of points
 * @param noise         builtin:seasonal only: standard deviation of the Gaussian noise; its variance
 *                      is the best possible MSE (the report's optimum row)
 * @param periods       builtin:seasonal only: the two seasonal periods
 * @param generatorSeed builtin:seasonal only: seed of the noise
 */
public record SeriesConfig(String valueColumn, List<String> valueColumns, String dateColumn, Boolean header,
                           String delimiter, MissingValues missing, Normalization.Kind normalize, Integer horizon,
                           Integer season, Integer movingAverage, Integer length, Double noise, List<Integer> periods,
                           Long generatorSeed) {
    public SeriesConfig {
        if (valueColumn != null && valueColumns != null)
            throw new FieldException("value_columns", "give value_column (one series) or value_columns (several), not both");
        if (valueColumns != null) {
            if (valueColumns.isEmpty()) throw new FieldException("value_columns", "list at least one column");
            if (new java.util.HashSet<>(valueColumns).size() != valueColumns.size())
                throw new FieldException("value_columns", "columns must be distinct, got " + valueColumns);
            valueColumns = List.copyOf(valueColumns);
        }
        if (delimiter == null) delimiter = ",";
        if (delimiter.length() != 1) throw new FieldException("delimiter", "must be one character, got '" + delimiter + "'");
        if (missing == null) missing = MissingValues.ERROR;
        if (normalize == null) normalize = Normalization.Kind.ZSCORE;
        if (horizon == null) horizon = 1;
        if (season == null) season = 12;
        if (movingAverage == null) movingAverage = 12;
        if (length == null) length = 2000;
        if (noise == null) noise = 0.5;
        if (periods == null) periods = List.of(12, 40);
        if (generatorSeed == null) generatorSeed = 1L;
        Check.atLeast("horizon", horizon, 1);
        Check.atLeast("season", season, 1);
        Check.atLeast("moving_average", movingAverage, 1);
        Check.atLeast("length", length, 50);
        Check.nonNegative("noise", noise);
        if (periods.size() != 2) throw new FieldException("periods", "expected two periods, got " + periods);
        for (int p : periods) Check.atLeast("periods", p, 2);
        periods = List.copyOf(periods);
    }

    public static SeriesConfig defaults() {
        return new SeriesConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The columns asked for (names or 1-based numbers), or empty for "the last column". */
    public List<String> columns() {
        return valueColumns != null ? valueColumns : valueColumn != null ? List.of(valueColumn) : List.of();
    }

    /** The key the columns were given under, for error messages. */
    public String columnsKey() {
        return valueColumns != null ? "value_columns" : "value_column";
    }
}
