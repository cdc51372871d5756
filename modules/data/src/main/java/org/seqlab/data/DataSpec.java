package org.seqlab.data;

import org.seqlab.core.FieldException;
import org.seqlab.core.data.Splits;
import org.seqlab.core.data.TokenizerSpec;
import org.seqlab.core.data.UnknownPolicy;
import org.seqlab.data.series.SeriesConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A data section once its source is resolved: one variant per kind of data, each holding only the
 * settings that kind reads. {@link DataConfig} is the YAML's flat {@code data:} section, with keys
 * for every kind; {@link #of} turns it into the variant its format names and refuses a key set for
 * another kind, so a setting is never silently ignored.
 */
public sealed interface DataSpec permits DataSpec.Text, DataSpec.Midi, DataSpec.PianoRolls, DataSpec.Series {
    /** The path read (a file or directory, the cached file of a registry dataset) or a builtin: name. */
    String source();

    /**
     * Text: one example per line or a stream, split by fraction or by file, tokenized.
     *
     * @param generator the built-in generator's settings, null when the text is read from a file
     */
    record Text(String source, DataConfig.Mode mode, List<Double> split, long splitSeed, SplitFiles splitFiles, boolean documents,
                UnknownPolicy unknown, TokenizerSpec.Kind tokenizer, int maxVocab, boolean lowercase, Generator generator)
            implements DataSpec, Fractions {}

    /** What defines a built-in text generator's process and sample (see {@link DataConfig}). */
    record Generator(int names, int order, long chainSeed, int alphabet, int tokens, int examples, int copyLength) {}

    /** MIDI files read as tokens (events, melody) or piano-roll frames, split by file. */
    record Midi(String source, DataConfig.Encoding encoding, double stepSeconds, boolean drums, List<Double> split, long splitSeed,
                int transpose) implements DataSpec, Fractions {}

    /** A piano-roll dataset that comes split (JSB, Nottingham, MuseData, Piano-midi). */
    record PianoRolls(String source, int transpose) implements DataSpec {}

    /** A time series, split in time order. */
    record Series(String source, List<Double> split, SeriesConfig series) implements DataSpec, Fractions {}

    /** The kinds that split their data by train/valid/test fractions. */
    interface Fractions {
        List<Double> split();

        default double[] fractions() {
            return Splits.checkFractions(split());
        }
    }

    /**
     * The variant of {@code resolved} (its format known). {@code given} is the section as written
     * (before resolution filled in format and mode): a key it sets to other than its default, which
     * the variant does not read, is a {@link FieldException} naming the key and the kind.
     */
    static DataSpec of(DataConfig given, DataConfig resolved) {
        DataConfig.Format format = resolved.format();
        String builtin = resolved.source().startsWith("builtin:") ? resolved.source() : null;
        List<String> reads = new ArrayList<>(List.of("source", "format"));
        String kind;
        DataSpec spec;
        switch (format) {
            case TEXT -> {
                kind = builtin != null ? builtin : "text";
                reads.addAll(List.of("mode", "split", "split_seed", "split_files", "documents", "unknown", "tokenizer", "max_vocab", "lowercase"));
                if (builtin != null) reads.addAll(GENERATOR_KEYS.getOrDefault(builtin, List.of()));
                Generator g = builtin == null ? null : new Generator(resolved.names(), resolved.order(), resolved.chainSeed(),
                        resolved.alphabet(), resolved.tokens(), resolved.examples(), resolved.copyLength());
                spec = new Text(resolved.source(), resolved.mode(), resolved.split(), resolved.splitSeed(), resolved.splitFiles(),
                        resolved.documents(), resolved.unknown(), resolved.tokenizer(), resolved.maxVocab(), resolved.lowercase(), g);
            }
            case MIDI -> {
                kind = "MIDI";
                reads.addAll(List.of("encoding", "step_seconds", "drums", "split", "split_seed", "augment"));
                spec = new Midi(resolved.source(), resolved.encoding(), resolved.stepSeconds(), resolved.drums(), resolved.split(),
                        resolved.splitSeed(), resolved.augment().transpose());
            }
            case PIANOROLL -> {
                kind = "a piano-roll dataset (it comes split)";
                reads.add("augment");
                spec = new PianoRolls(resolved.source(), resolved.augment().transpose());
            }
            case SERIES -> {
                kind = "a time series";
                reads.addAll(List.of("split", "series"));
                spec = new Series(resolved.source(), resolved.split(), resolved.seriesOrDefaults());
            }
            default -> throw new IllegalStateException("an unresolved format: " + format);
        }
        DataConfig defaults = DataConfig.defaults();
        for (Map.Entry<String, Function<DataConfig, Object>> key : KEYS.entrySet()) {
            if (reads.contains(key.getKey())) continue;
            Object value = key.getValue().apply(given);
            if (!Objects.equals(value, key.getValue().apply(defaults)))
                throw new FieldException(key.getKey(), "does not apply to " + kind + " (" + given.source() + " is read as "
                        + format.name().toLowerCase(java.util.Locale.ROOT) + "); leave it out");
        }
        return spec;
    }

    /** The generator keys each built-in text source reads. */
    Map<String, List<String>> GENERATOR_KEYS = Map.of(
            DataConfig.MARKOV_NAMES, List.of("names", "order", "chain_seed"),
            DataConfig.MARKOV_CHAIN, List.of("order", "chain_seed", "alphabet", "tokens"),
            DataConfig.COPY, List.of("chain_seed", "alphabet", "examples", "copy_length"));

    /** Every key of the flat section that only some kinds read, with its value (source and format apply to all). */
    Map<String, Function<DataConfig, Object>> KEYS = keys();

    private static Map<String, Function<DataConfig, Object>> keys() {
        Map<String, Function<DataConfig, Object>> k = new LinkedHashMap<>();
        k.put("encoding", DataConfig::encoding);
        k.put("step_seconds", DataConfig::stepSeconds);
        k.put("drums", DataConfig::drums);
        k.put("mode", DataConfig::mode);
        k.put("split", DataConfig::split);
        k.put("split_seed", DataConfig::splitSeed);
        k.put("split_files", DataConfig::splitFiles);
        k.put("documents", DataConfig::documents);
        k.put("unknown", DataConfig::unknown);
        k.put("tokenizer", DataConfig::tokenizer);
        k.put("max_vocab", DataConfig::maxVocab);
        k.put("lowercase", DataConfig::lowercase);
        k.put("names", DataConfig::names);
        k.put("order", DataConfig::order);
        k.put("chain_seed", DataConfig::chainSeed);
        k.put("alphabet", DataConfig::alphabet);
        k.put("tokens", DataConfig::tokens);
        k.put("examples", DataConfig::examples);
        k.put("copy_length", DataConfig::copyLength);
        k.put("series", DataConfig::series);
        k.put("augment", DataConfig::augment);
        return java.util.Collections.unmodifiableMap(k);
    }
}
