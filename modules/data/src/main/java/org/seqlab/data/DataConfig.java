package org.seqlab.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.seqlab.core.Check;
import org.seqlab.core.FieldException;
import org.seqlab.data.series.SeasonalSeries;
import org.seqlab.data.series.SeriesConfig;
import org.seqlab.core.data.Splits;
import org.seqlab.core.data.TokenizerSpec;
import org.seqlab.core.data.UnknownPolicy;

import java.util.List;

/**
 * The {@code data:} section of an experiment. Keys marked "X only" apply to one kind of data; once
 * the source is resolved, a key set for another kind is an error (see {@link DataSpec}).
 *
 * @param source      a file or directory path, a dataset name from datasets/registry.yaml (e.g.
 *                    tiny-shakespeare; fetched into the cache on first use), or a built-in generator:
 *                    builtin:markov-names, builtin:markov-chain or builtin:copy; for time series
 *                    builtin:seasonal or the path of a CSV file. An existing path wins over a registry name
 * @param format      auto (a .json/.pickle source is a piano roll, a .mid/.midi file or a directory
 *                    holding MIDI files is MIDI, a .csv file or builtin:seasonal a time series, a
 *                    registry dataset is what the registry says, anything else text), text,
 *                    pianoroll, midi or series
 * @param encoding    midi only: events (Performance-RNN note-on/off, time-shift, velocity tokens),
 *                    melody (top voice as pitch-duration tokens) or pianoroll (88-key frames)
 * @param stepSeconds midi only: grid of the melody and piano-roll encodings (0.125 s = a 16th
 *                    note at 120 bpm)
 * @param drums       midi only: keep channel 10 (drums); left out by default
 * @param mode        lines: one example per line (names), each ended by an end-of-sequence token;
 *                    stream: one continuous text. Default: what the source implies (stream for
 *                    registry text corpora and builtin:markov-chain), else lines
 * @param split       train/valid/test fractions (examples are shuffled with split_seed in lines mode,
 *                    text is cut in order in stream mode, files are shuffled with split_seed when
 *                    documents is true)
 * @param splitSeed   seed of the split shuffle, independent of model seeds
 * @param splitFiles  directory sources: which files (paths relative to the directory) form the
 *                    train, valid and test splits; every file of the directory must be listed once
 * @param documents   directory sources: each file is one document and the split assigns whole
 *                    files (shuffled with split_seed, cut at split). When false, the files (sorted
 *                    by path, hidden ones left out) are read as one text, each ending with a
 *                    newline and an empty line between files, and split like a single file.
 *                    split_files implies true
 * @param unknown     symbols of valid/test missing from the training vocabulary (or left out by
 *                    max_vocab): error, unk or skip
 * @param tokenizer   char (one token per character) or word (words, punctuation marks and
 *                    newlines; samples are joined back into running text)
 * @param maxVocab    keep at most this many tokens in the vocabulary (end-of-sequence, newline and
 *                    unk included), the most frequent in the training split, ties in string order;
 *                    the rest become unknown (needs unknown: unk or skip). 0 = no cap
 * @param lowercase   lower-case the text before tokenizing
 * @param names       builtin:markov-names only: number of names to generate
 * @param order       builtin:markov-names and builtin:markov-chain: Markov order (symbols of
 *                    context; 1 to 4 for names, 1 to 3 for the chain)
 * @param chainSeed   builtin sources: seed that defines the process and the sample
 * @param alphabet    builtin:markov-chain and builtin:copy: number of symbols (letters a, b, ...)
 * @param tokens      builtin:markov-chain only: length of the generated stream
 * @param examples    builtin:copy only: number of lines to generate
 * @param copyLength  builtin:copy only: each line is copy_length random symbols, a delimiter, and the same
 *                    symbols again, so the model must remember copy_length steps back; the optimum
 *                    is copy_length·ln(alphabet) / (2·copy_length + 2) nats/token
 * @param series      time series only: columns, missing values, normalisation, horizon and baselines
 *                    (section below); the split is chronological
 * @param augment     augmentation of the training split (section below): transposition of piano rolls
 */
public record DataConfig(String source, Format format, Encoding encoding, Double stepSeconds, Boolean drums, Mode mode,
                         List<Double> split, Long splitSeed, SplitFiles splitFiles, Boolean documents, UnknownPolicy unknown,
                         TokenizerSpec.Kind tokenizer, Integer maxVocab, Boolean lowercase,
                         Integer names, Integer order, Long chainSeed, Integer alphabet, Integer tokens, Integer examples,
                         Integer copyLength, SeriesConfig series, Augment augment) {
    public enum Mode { LINES, STREAM }

    public enum Format { AUTO, TEXT, PIANOROLL, MIDI, SERIES }

    public enum Encoding { EVENTS, MELODY, PIANOROLL }

    public static final String MARKOV_NAMES = "builtin:markov-names";
    public static final String MARKOV_CHAIN = "builtin:markov-chain";
    public static final String COPY = "builtin:copy";
    public static final List<String> BUILTINS = List.of(MARKOV_NAMES, MARKOV_CHAIN, COPY, SeasonalSeries.SOURCE);

    public DataConfig {
        if (source == null || source.isBlank()) source = MARKOV_NAMES;
        if (format == null) format = Format.AUTO;
        if (encoding == null) encoding = Encoding.EVENTS;
        if (stepSeconds == null) stepSeconds = 0.125;
        if (drums == null) drums = false;
        Check.positive("step_seconds", stepSeconds);
        if (split == null) split = List.of(0.8, 0.1, 0.1);
        if (splitSeed == null) splitSeed = 0L;
        if (documents == null) documents = splitFiles != null;
        if (splitFiles != null && !documents)
            throw new org.seqlab.core.FieldException("documents", "split_files assigns whole files to splits: leave documents out or set it to true");
        if (unknown == null) unknown = UnknownPolicy.ERROR;
        if (tokenizer == null) tokenizer = TokenizerSpec.Kind.CHAR;
        if (maxVocab == null) maxVocab = 0;
        if (lowercase == null) lowercase = false;
        if (names == null) names = 4000;
        if (order == null) order = 2;
        if (chainSeed == null) chainSeed = 1L;
        if (alphabet == null) alphabet = 8;
        if (tokens == null) tokens = 100_000;
        if (examples == null) examples = 4000;
        if (copyLength == null) copyLength = 10;
        Splits.checkFractions(split);
        Check.atLeast("max_vocab", maxVocab, 0);
        Check.atLeast("names", names, 10);
        Check.range("order", order, 1, 4, true);
        Check.range("alphabet", alphabet, 2, 26, true);
        Check.atLeast("tokens", tokens, 100);
        Check.atLeast("examples", examples, 10);
        Check.range("copy_length", copyLength, 1, 200, true);
        if (augment == null) augment = new Augment(null);
    }

    /** The series options, defaults when the section is absent. */
    @JsonIgnore
    public SeriesConfig seriesOrDefaults() {
        return series != null ? series : SeriesConfig.defaults();
    }

    /** Every field at its default: the built-in Markov names. */
    public static DataConfig defaults() {
        return new DataConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    /** This config reading {@code newSource} as {@code newFormat} in {@code newMode}: what resolving a source produces. */
    public DataConfig resolved(String newSource, Format newFormat, Mode newMode) {
        return new DataConfig(newSource, newFormat, encoding, stepSeconds, drums, newMode, split, splitSeed, splitFiles, documents,
                unknown, tokenizer, maxVocab, lowercase, names, order, chainSeed, alphabet, tokens, examples, copyLength, series, augment);
    }
}
