package org.seqlab.data.series;

import org.seqlab.core.FieldException;
import org.seqlab.data.DataConfig;
import org.seqlab.data.Datasets;

import java.nio.file.Path;

/** Loads the time series a {@link DataConfig} names: the built-in generator or a CSV file. */
public final class SeriesSources {
    private SeriesSources() {}

    public static TimeSeries load(DataConfig cfg, Path baseDir) {
        SeriesConfig s = cfg.seriesOrDefaults();
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
        Path file;
        try {
            file = Datasets.resolve(source, baseDir);
        } catch (FieldException e) {
            // a bare name such as "airline-passengers" is meant for the dataset registry, which
            // resolves names to downloaded files; until a build has it, say so instead of "not found"
            if (source.matches("[A-Za-z0-9][A-Za-z0-9_-]*"))
                throw new FieldException("source", "'" + source + "' is not a file, and this build has no dataset registry "
                        + "to download named datasets; download its CSV and set data.source to the file's path");
            throw e;
        }
        return CsvSeries.read(file, s);
    }
}
