package org.seqlab.data;

import org.seqlab.core.Check;
import org.seqlab.core.data.Splits;
import org.seqlab.core.data.UnknownPolicy;

import java.util.List;

/**
 * The {@code data:} section of an experiment.
 *
 * @param source     "builtin:markov-names", the path of a UTF-8 text file, or of a piano-roll JSON file
 * @param format     auto (a .json source is a piano roll, anything else text), text or pianoroll
 * @param mode       lines: one example per line (names), each ended by an end-of-sequence token;
 *                   stream: one continuous text
 * @param split      train/valid/test fractions (examples are shuffled with split_seed in lines mode,
 *                   text is cut in order in stream mode)
 * @param splitSeed  seed of the split shuffle, independent of model seeds
 * @param unknown    characters of valid/test missing from the training vocabulary: error, unk or skip
 * @param names      builtin:markov-names only: number of names to generate
 * @param order      builtin:markov-names only: Markov order (letters of context)
 * @param chainSeed  builtin:markov-names only: seed that defines the chain and the sample
 */
public record DataConfig(String source, Format format, Mode mode, List<Double> split, Long splitSeed, UnknownPolicy unknown,
                         Integer names, Integer order, Long chainSeed) {
    public enum Mode { LINES, STREAM }

    public enum Format { AUTO, TEXT, PIANOROLL }

    public static final String MARKOV_NAMES = "builtin:markov-names";

    public DataConfig {
        if (source == null || source.isBlank()) source = MARKOV_NAMES;
        if (format == null) format = Format.AUTO;
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
    }

    /** Whether the source is a piano-roll dataset (explicitly, or a .json file with format auto). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isPianoRoll() {
        return format == Format.PIANOROLL || (format == Format.AUTO && source.toLowerCase(java.util.Locale.ROOT).endsWith(".json"));
    }

    public double[] fractions() {
        return Splits.checkFractions(split);
    }
}
