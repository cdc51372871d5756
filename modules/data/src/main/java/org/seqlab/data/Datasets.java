package org.seqlab.data;

import org.seqlab.core.FieldException;
import org.seqlab.core.Sha256;
import org.seqlab.core.data.Splits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads the dataset a {@link DataConfig} names: the built-in generator or a text file. */
public final class Datasets {
    private Datasets() {}

    /**
     * @param baseDir directory of the experiment file: relative paths are tried against the
     *                working directory first, then against it
     */
    public static Dataset load(DataConfig cfg, Path baseDir) {
        if (cfg.source().startsWith("builtin:")) {
            if (!cfg.source().equals(DataConfig.MARKOV_NAMES))
                throw new FieldException("source", "unknown built-in dataset '" + cfg.source() + "' (known: "
                        + DataConfig.MARKOV_NAMES + ")");
            if (cfg.mode() != DataConfig.Mode.LINES)
                throw new FieldException("mode", DataConfig.MARKOV_NAMES + " is one name per line: use mode: lines");
            return markovNames(cfg);
        }
        Path file = resolve(cfg.source(), baseDir);
        String text = TextFiles.readUtf8(file).replace("\r\n", "\n");
        if (text.isBlank()) throw new FieldException("source", "file " + file + " is empty");
        String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return fromText(name, file.toString(), text, cfg);
    }

    /** The file a source names: tried against the working directory, then against {@code baseDir}. */
    public static Path resolve(String source, Path baseDir) {
        Path p = Path.of(source);
        if (p.isAbsolute() || Files.exists(p) || baseDir == null) {
            if (!Files.isRegularFile(p)) throw new FieldException("source", "file not found: " + p.toAbsolutePath());
            return p;
        }
        Path q = baseDir.resolve(p);
        if (!Files.isRegularFile(q))
            throw new FieldException("source", "file not found: " + source + " (looked in "
                    + Path.of("").toAbsolutePath() + " and " + baseDir.toAbsolutePath() + ")");
        return q;
    }

    static Dataset fromText(String name, String source, String text, DataConfig cfg) {
        if (cfg.mode() == DataConfig.Mode.STREAM) {
            Splits<String> s = Splits.ofText(text, cfg.fractions());
            return new Dataset(name, source, Sha256.of(text), s, null, null, null);
        }
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.size() < 3) throw new FieldException("source", source + " has " + lines.size()
                + " non-empty lines; lines mode needs at least 3 (one each for train, valid and test)");
        Splits<List<String>> s = Splits.ofExamples(lines, cfg.fractions(), cfg.splitSeed());
        return new Dataset(name, source, Sha256.of(text), streams(s), "\n", null, null);
    }

    private static Splits<String> streams(Splits<List<String>> s) {
        return new Splits<>(Dataset.linesToStream(s.train()), Dataset.linesToStream(s.valid()),
                Dataset.linesToStream(s.test()));
    }

    static Dataset markovNames(DataConfig cfg) {
        MarkovNames chain = new MarkovNames(cfg.order(), cfg.chainSeed());
        List<String> names = chain.sample(cfg.names(), cfg.chainSeed() + 1);
        String text = String.join("\n", names) + "\n";
        Splits<List<String>> s = Splits.ofExamples(names, cfg.fractions(), cfg.splitSeed());
        return new Dataset("markov-names", DataConfig.MARKOV_NAMES + "?order=" + cfg.order() + "&names="
                + cfg.names() + "&seed=" + cfg.chainSeed(), Sha256.of(text), streams(s), "\n",
                chain.entropyRate(), chain.trueLoss(s.test()));
    }
}
