package org.seqlab.data.series;

import org.seqlab.core.FieldException;
import org.seqlab.data.DataSpec;

import java.nio.file.Path;

/** Loads the time series a {@link DataSpec.Series} names: the built-in generator or a CSV file. */
public final class SeriesSources {
    private SeriesSources() {}

    /** @param file the CSV file as DataSources resolved it (a path or a registry download); null for the built-in generator */
    public static TimeSeries load(DataSpec.Series cfg, Path file) {
        SeriesConfig s = cfg.series();
        String source = cfg.source();
        if (source.startsWith("builtin:")) {
            if (!source.equals(SeasonalSeries.SOURCE))
                throw new FieldException("source", "unknown built-in series '" + source + "' (known: " + SeasonalSeries.SOURCE + ")");
            if (s.valueColumn() != null || s.valueColumns() != null || s.dateColumn() != null)
                throw new FieldException("series", SeasonalSeries.SOURCE + " has one generated column and no dates: "
                        + "value_column(s) and date_column apply to CSV files");
            return SeasonalSeries.generate(s);
        }
        SeriesConfig d = SeriesConfig.defaults();
        if (s.length().intValue() != d.length() || !s.noise().equals(d.noise()) || !s.periods().equals(d.periods())
                || !s.generatorSeed().equals(d.generatorSeed()))
            throw new FieldException("series", "length, noise, periods and generator_seed shape " + SeasonalSeries.SOURCE
                    + " only; " + source + " is read from a file");
        if (file == null) throw new IllegalArgumentException("a CSV series needs its resolved file (DataSources.resolve)");
        return CsvSeries.read(file, s);
    }
}
