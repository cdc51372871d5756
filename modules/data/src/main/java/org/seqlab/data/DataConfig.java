package org.seqlab.data;

import org.seqlab.core.Check;
import org.seqlab.core.FieldException;
import org.seqlab.data.series.SeasonalSeries;
import org.seqlab.data.series.SeriesConfig;
import org.seqlab.core.data.Splits;
import org.seqlab.core.data.UnknownPolicy;

import java.util.List;

/**
 * The {@code data:} section of an experiment.
 *
 * @param source     "builtin:markov-names", the path of a UTF-8 text file, or of a piano-roll JSON file;
 *                   for time series "builtin:seasonal" or the path of a CSV file
 * @param format     auto (a .json/.pickle source is a piano roll, a directory or .mid/.midi file is MIDI,
 *                   a .csv file or builtin:seasonal a time series, anything else text), text, pianoroll,
 *                   midi or series
 * @param encoding   midi only: events (Performance-RNN note-on/off, time-shift, velocity tokens),
 *                   melody (top voice as pitch-duration tokens) or pianoroll (88-key frames)
 * @param stepSeconds midi only: grid of the melody and piano-roll encodings (0.125 s = a 16th
 *                   note at 120 bpm)
 * @param drums      midi only: keep channel 10 (drums); left out by default
 * @param mode       lines: one example per line (names), each ended by an end-of-sequence token;
 *                   stream: one continuous text
 * @param split      train/valid/test fractions (examples are shuffled with split_seed in lines mode,
 *                   text is cut in order in stream mode)
 * @param splitSeed  seed of the split shuffle, independent of model seeds
 * @param unknown    characters of valid/test missing from the training vocabulary: error, unk or skip
 * @param names      builtin:markov-names only: number of names to generate
 * @param order      builtin:markov-names only: Markov order (letters of context)
 * @param chainSeed  builtin:markov-names only: seed that defines the chain and the sample
 * @param series     time series only: columns, missing values, normalisation, horizon and baselines
 *                   (section below); the split is chronological
 */
public record DataConfig(String source, Format format, Encoding encoding, Double stepSeconds, Boolean drums, Mode mode, List<Double> split, Long splitSeed, UnknownPolicy unknown,
                         Integer names, Integer order, Long chainSeed, SeriesConfig series) {
    public enum Mode { LINES, STREAM }

    public enum Format { AUTO, TEXT, PIANOROLL, MIDI, SERIES }

    public enum Encoding { EVENTS, MELODY, PIANOROLL }

    public static final String MARKOV_NAMES = "builtin:markov-names";

    public DataConfig {
        if (source == null || source.isBlank()) source = MARKOV_NAMES;
        if (format == null) format = Format.AUTO;
        if (encoding == null) encoding = Encoding.EVENTS;
        if (stepSeconds == null) stepSeconds = 0.125;
        if (drums == null) drums = false;
        Check.positive("step_seconds", stepSeconds);
        if (mode == null) mode = Mode.LINES;
        if (split == null) split = List.of(0.8, 0.1, 0.1);
        if (splitSeed == null) splitSeed = 0L;
        if (unknown == null) unknown = UnknownPolicy.ERROR;
        if (names == null) names = 4000;
        if (order == null) order = 2;
        if (chainSeed == null) chainSeed = 1L;
        Splits.checkFractions(split);
        Check.atLeast("names", names, 10);
        Check.range("order", order, 1, 4, true);
        if (series != null && !isSeries(source, format))
            throw new FieldException("series", "applies to time series only (format: series, a .csv source or "
                    + SeasonalSeries.SOURCE + "), not to " + source);
    }

    /** Without a series section (text, piano rolls, MIDI). */
    public DataConfig(String source, Format format, Encoding encoding, Double stepSeconds, Boolean drums, Mode mode,
                      List<Double> split, Long splitSeed, UnknownPolicy unknown, Integer names, Integer order, Long chainSeed) {
        this(source, format, encoding, stepSeconds, drums, mode, split, splitSeed, unknown, names, order, chainSeed, null);
    }

    /** Whether the source is a time series: explicitly, or (format auto) a .csv file or builtin:seasonal. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isSeries() {
        return isSeries(source, format);
    }

    // static: the compact constructor runs before the fields are set
    private static boolean isSeries(String source, Format format) {
        String s = source.toLowerCase(java.util.Locale.ROOT);
        return format == Format.SERIES || (format == Format.AUTO && (s.endsWith(".csv") || s.equals(SeasonalSeries.SOURCE)));
    }

    /** The series options, defaults when the section is absent. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public SeriesConfig seriesOrDefaults() {
        return series != null ? series : SeriesConfig.defaults();
    }

    /** Whether the source is a piano-roll dataset (explicitly, or a .json file with format auto). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isPianoRoll() {
        return format == Format.PIANOROLL || (format == Format.AUTO && source.toLowerCase(java.util.Locale.ROOT).matches(".*\\.(json|pickle|pkl)$"));
    }

    /** Whether the source is MIDI: explicitly, or (format auto) a .mid/.midi file or a directory. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isMidi() {
        String s = source.toLowerCase(java.util.Locale.ROOT);
        return format == Format.MIDI || (format == Format.AUTO && (s.endsWith(".mid") || s.endsWith(".midi")
                || (!s.startsWith("builtin:") && java.nio.file.Files.isDirectory(java.nio.file.Path.of(source)))));
    }

    public double[] fractions() {
        return Splits.checkFractions(split);
    }
}
