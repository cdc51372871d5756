package org.seqlab.data;

import org.seqlab.core.data.SplitMethod;

import org.seqlab.core.FieldException;
import org.seqlab.core.Sha256;
import org.seqlab.core.data.Splits;
import org.seqlab.data.registry.Catalogue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Loads the text dataset a {@link DataConfig} names: a built-in generator, a text file or a directory of them. */
public final class Datasets {
    private Datasets() {}

    /**
     * Resolves the source (a registry name through the environment's cache) and loads it.
     *
     * @param baseDir directory of the experiment file: relative paths are tried against the
     *                working directory first, then against it
     */
    public static Dataset load(DataConfig cfg, Path baseDir) {
        return load(DataSources.resolve(cfg, baseDir, Catalogue.fromEnvironment(false), line -> {}));
    }

    /** Loads a resolved text source (format text) or built-in generator. */
    public static Dataset load(DataSources.Resolved r) {
        if (!(r.spec() instanceof DataSpec.Text cfg)) throw new IllegalArgumentException(r.config().source() + " is not text");
        if (r.builtin()) {
            return switch (cfg.source()) {
                case DataConfig.MARKOV_NAMES -> markovNames(cfg);
                case DataConfig.MARKOV_CHAIN -> markovChain(cfg);
                default -> copy(cfg);
            };
        }
        Path p = r.path();
        String name = r.entry() != null ? r.entry().name() : p.toAbsolutePath().normalize().getFileName().toString().replaceFirst("\\.[^.]*$", "");
        if (Files.isDirectory(p)) return directory(name, p, cfg);
        String text = TextFiles.readUtf8(p).replace("\r\n", "\n");
        if (text.isBlank()) throw new FieldException("source", "file " + p + " is empty");
        return fromText(name, p.toString(), r.fileSha256() != null ? r.fileSha256() : Sha256.of(text), text, cfg);
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

    static Dataset fromText(String name, String source, String sha256, String text, DataSpec.Text cfg) {
        if (cfg.mode() == DataConfig.Mode.STREAM) {
            Splits<String> s = Splits.ofText(text, cfg.fractions());
            return new Dataset(name, source, sha256, s, null, null, null, SplitMethod.contiguous(cfg.split()));
        }
        List<String> lines = lines(text);
        if (lines.size() < 3) throw new FieldException("source", source + " has " + lines.size()
                + " non-empty lines; lines mode needs at least 3 (one each for train, valid and test)");
        Splits<List<String>> s = Splits.ofExamples(lines, cfg.fractions(), cfg.splitSeed());
        return new Dataset(name, source, sha256, streams(s), "\n", null, null, SplitMethod.examples(cfg.split(), cfg.splitSeed()));
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static Splits<String> streams(Splits<List<String>> s) {
        return new Splits<>(Dataset.linesToStream(s.train()), Dataset.linesToStream(s.valid()),
                Dataset.linesToStream(s.test()));
    }

    /**
     * A directory: its files (sorted, hidden ones left out) as one text, or with documents /
     * split_files as documents assigned whole to the splits. The hash covers every file's path and
     * bytes.
     */
    static Dataset directory(String name, Path dir, DataSpec.Text cfg) {
        List<String> files = TextFiles.list(dir);
        if (files.isEmpty()) throw new FieldException("source", "directory " + dir + " holds no files");
        Map<String, String> texts = new LinkedHashMap<>();
        StringBuilder manifest = new StringBuilder();
        for (String f : files) {
            Path file = dir.resolve(f);
            byte[] bytes = TextFiles.readBytes(file);
            texts.put(f, TextFiles.decode(bytes, file.toString()).replace("\r\n", "\n"));
            manifest.append(f).append('\0').append(Sha256.of(bytes)).append('\n');
        }
        String sha = Sha256.of(manifest.toString());
        if (!cfg.documents()) {
            String text = join(files, texts);
            if (text.isBlank()) throw new FieldException("source", "the files of " + dir + " are empty");
            return fromText(name, dir.toString(), sha, text, cfg);
        }
        Splits<List<String>> byFile;
        SplitMethod how;
        if (cfg.splitFiles() != null) {
            byFile = assigned(files, cfg.splitFiles(), dir);
            how = new SplitMethod("split_files", null, null, table(byFile));
        } else {
            if (files.size() < 3)
                throw new FieldException("documents", dir + " holds " + files.size() + " file(s); splitting by document needs at least 3");
            Splits<List<String>> s = Splits.ofExamples(files, cfg.fractions(), cfg.splitSeed());
            byFile = new Splits<>(sorted(s.train()), sorted(s.valid()), sorted(s.test()));
            for (Map.Entry<String, List<String>> e : table(byFile).entrySet())
                if (e.getValue().isEmpty())
                    throw new FieldException("split", cfg.split() + " of " + files.size() + " files leaves the " + e.getKey()
                            + " split without a file; use more files, other fractions or split_files");
            how = new SplitMethod("files", cfg.split(), cfg.splitSeed(), table(byFile));
        }
        Splits<String> text = new Splits<>(join(byFile.train(), texts), join(byFile.valid(), texts), join(byFile.test(), texts));
        if (cfg.mode() == DataConfig.Mode.STREAM) {
            for (Map.Entry<String, String> e : table(text).entrySet())
                if (e.getValue().isBlank()) throw new FieldException("source", "the " + e.getKey() + " files of " + dir + " are empty");
            return new Dataset(name, dir.toString(), sha, text, null, null, null, how);
        }
        Splits<List<String>> lines = new Splits<>(lines(text.train()), lines(text.valid()), lines(text.test()));
        for (Map.Entry<String, List<String>> e : table(lines).entrySet())
            if (e.getValue().isEmpty()) throw new FieldException("source", "the " + e.getKey() + " files of " + dir + " have no non-empty line");
        return new Dataset(name, dir.toString(), sha, streams(lines), "\n", null, null, how);
    }

    /** The files' texts in order, each ending with a newline, an empty line between files. */
    private static String join(List<String> files, Map<String, String> texts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            String t = texts.get(files.get(i));
            if (i > 0) sb.append('\n');
            sb.append(t);
            if (!t.endsWith("\n")) sb.append('\n');
        }
        return sb.toString();
    }

    /** split_files checked against the directory: every file exists, none twice, none left out. */
    private static Splits<List<String>> assigned(List<String> files, SplitFiles sf, Path dir) {
        Set<String> present = Set.copyOf(files);
        Map<String, String> seen = new HashMap<>();
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        wanted.put("train", sf.train());
        wanted.put("valid", sf.valid());
        wanted.put("test", sf.test());
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
            List<String> list = new ArrayList<>();
            for (String f : e.getValue()) {
                String norm = f.replace('\\', '/').replaceFirst("^\\./", "");
                if (!present.contains(norm))
                    throw new FieldException("split_files", e.getKey() + ": no file '" + f + "' in " + dir + " (it holds: "
                            + preview(files) + ")");
                String before = seen.put(norm, e.getKey());
                if (before != null) throw new FieldException("split_files", "'" + f + "' is listed in " + before + " and in " + e.getKey());
                list.add(norm);
            }
            out.put(e.getKey(), sorted(list));
        }
        Set<String> left = new TreeSet<>(files);
        left.removeAll(seen.keySet());
        if (!left.isEmpty())
            throw new FieldException("split_files", "file(s) of " + dir + " in no split: " + preview(new ArrayList<>(left))
                    + " (list each under train, valid or test, or move it out of the directory)");
        return new Splits<>(out.get("train"), out.get("valid"), out.get("test"));
    }

    private static String preview(List<String> files) {
        return files.size() <= 8 ? String.join(", ", files) : String.join(", ", files.subList(0, 8)) + ", ... (" + files.size() + " in all)";
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }

    private static <T> Map<String, T> table(Splits<T> s) {
        Map<String, T> m = new LinkedHashMap<>();
        m.put("train", s.train());
        m.put("valid", s.valid());
        m.put("test", s.test());
        return m;
    }

    static Dataset markovNames(DataSpec.Text cfg) {
        DataSpec.Generator g = cfg.generator();
        MarkovNames chain = new MarkovNames(g.order(), g.chainSeed());
        List<String> names = chain.sample(g.names(), g.chainSeed() + 1);
        String text = String.join("\n", names) + "\n";
        Splits<List<String>> s = Splits.ofExamples(names, cfg.fractions(), cfg.splitSeed());
        return new Dataset("markov-names", DataConfig.MARKOV_NAMES + "?order=" + g.order() + "&names="
                + g.names() + "&seed=" + g.chainSeed(), Sha256.of(text), streams(s), "\n",
                chain.entropyRate(), chain.trueLoss(s.test()), SplitMethod.examples(cfg.split(), cfg.splitSeed()));
    }

    static Dataset markovChain(DataSpec.Text cfg) {
        DataSpec.Generator g = cfg.generator();
        if (g.order() > 3) throw new FieldException("order", DataConfig.MARKOV_CHAIN + " supports order 1 to 3, got " + g.order());
        MarkovChain chain = new MarkovChain(g.order(), g.alphabet(), g.chainSeed());
        String text = chain.sample(g.tokens(), g.chainSeed() + 1);
        Splits<String> s = Splits.ofText(text, cfg.fractions());
        int testStart = s.train().length() + s.valid().length();
        return new Dataset("markov-chain", DataConfig.MARKOV_CHAIN + "?order=" + g.order() + "&alphabet=" + g.alphabet()
                + "&tokens=" + g.tokens() + "&seed=" + g.chainSeed(), Sha256.of(text), s, null, chain.entropyRate(),
                chain.trueLoss(text, testStart + 1, text.length()), SplitMethod.contiguous(cfg.split()));
    }

    static Dataset copy(DataSpec.Text cfg) {
        DataSpec.Generator g = cfg.generator();
        CopyTask task = new CopyTask(g.alphabet(), g.copyLength());
        List<String> lines = task.sample(g.examples(), g.chainSeed());
        Splits<List<String>> s = Splits.ofExamples(lines, cfg.fractions(), cfg.splitSeed());
        return new Dataset("copy", DataConfig.COPY + "?alphabet=" + g.alphabet() + "&copy_length=" + g.copyLength()
                + "&examples=" + g.examples() + "&seed=" + g.chainSeed(), Sha256.of(String.join("\n", lines) + "\n"),
                streams(s), "\n", task.optimumLoss(), task.trueLoss(s.test()), SplitMethod.examples(cfg.split(), cfg.splitSeed()));
    }
}
