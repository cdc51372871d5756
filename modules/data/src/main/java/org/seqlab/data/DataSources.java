package org.seqlab.data;

import org.seqlab.core.FieldException;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.data.registry.DatasetCache;
import org.seqlab.data.registry.Registry;
import org.seqlab.data.registry.RegistryEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Turns {@code data.source} into something to read. An existing file or directory wins (tried
 * against the working directory, then the experiment's directory); otherwise a registry name is
 * fetched into the cache (or taken from it); built-in generators start with {@code builtin:}.
 * Anything else is an error that names the paths tried and the datasets known.
 */
public final class DataSources {
    private DataSources() {}

    /**
     * A source made concrete.
     *
     * @param config     the data config with the source replaced by the path to read and format and
     *                   mode filled in (from the registry entry, the file's kind, or the defaults)
     *                   where the experiment left them open
     * @param path       the file or directory to read, or null for a built-in generator
     * @param entry      the registry entry when the source named one, else null
     * @param fileSha256 the registry dataset's file hash (verified or recorded at download), else null
     * @param spec       what the tasks read: the settings of this kind of data only
     */
    public record Resolved(DataConfig config, Path path, RegistryEntry entry, String fileSha256, DataSpec spec) {
        Resolved(DataConfig config, Path path, RegistryEntry entry, String fileSha256) {
            this(config, path, entry, fileSha256, null);
        }

        public boolean builtin() {
            return path == null;
        }

        /** The registry name, or null when the source was a path or a generator. */
        public String registryName() {
            return entry == null ? null : entry.name();
        }
    }

    /**
     * @param baseDir the experiment file's directory (relative paths are tried against the working
     *                directory first, then against it); may be null
     * @param log     progress of downloads
     */
    public static Resolved resolve(DataConfig cfg, Path baseDir, Catalogue catalogue, Consumer<String> log) {
        Resolved r = source(cfg, baseDir, catalogue, log);
        return new Resolved(r.config(), r.path(), r.entry(), r.fileSha256(), DataSpec.of(cfg, r.config()));
    }

    private static Resolved source(DataConfig cfg, Path baseDir, Catalogue catalogue, Consumer<String> log) {
        String s = cfg.source();
        if (s.startsWith("builtin:")) return builtin(cfg);
        List<Path> tried = new ArrayList<>();
        Optional<Path> path = existing(s, Path.of(""), baseDir, tried);
        if (path.isPresent()) return path(cfg, path.get());
        Optional<RegistryEntry> entry = catalogue.registry().find(s);
        if (entry.isPresent()) {
            DatasetCache.Fetched f = catalogue.cache().require(entry.get(), log);
            return registry(cfg, entry.get(), f);
        }
        throw notFound(s, tried, catalogue.registry());
    }

    /**
     * Where {@code cfg.source} would be read from, found as {@link #resolve} finds it but without
     * reading, fetching or downloading anything ({@code seqlab --dry-run}); relative paths are tried
     * against {@code workDir}, then {@code baseDir}. Throws the {@link FieldException} a run would
     * for a source that is nowhere; returns what was found, in words.
     */
    public static String locate(DataConfig cfg, Path workDir, Path baseDir, Registry registry) {
        String s = cfg.source();
        if (s.startsWith("builtin:")) {
            builtin(cfg);
            return "data " + s + " (generated)";
        }
        List<Path> tried = new ArrayList<>();
        Optional<Path> path = existing(s, workDir, baseDir, tried);
        if (path.isPresent()) {
            Resolved r = path(cfg, path.get());
            return "data " + path.get() + " (" + r.config().format().name().toLowerCase(Locale.ROOT) + ")";
        }
        Optional<RegistryEntry> entry = registry.find(s);
        if (entry.isPresent()) return "data " + s + " (a registry dataset, fetched on first use)";
        throw notFound(s, tried, registry);
    }

    private static FieldException notFound(String s, List<Path> tried, Registry registry) {
        return new FieldException("source", "file not found: " + s + " (looked for "
                + String.join(" and ", tried.stream().map(p -> p.toAbsolutePath().toString()).toList())
                + "), and it is not a dataset of the registry (known: " + String.join(", ", registry.names())
                + ") nor a built-in generator (" + String.join(", ", DataConfig.BUILTINS) + ")");
    }

    private static Optional<Path> existing(String source, Path workDir, Path baseDir, List<Path> tried) {
        Path given;
        try {
            given = Path.of(source);
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        Path p = workDir.resolve(given);
        tried.add(p);
        if (Files.exists(p)) return Optional.of(p);
        if (given.isAbsolute() || baseDir == null) return Optional.empty();
        Path q = baseDir.resolve(given);
        tried.add(q);
        return Files.exists(q) ? Optional.of(q) : Optional.empty();
    }

    private static Resolved builtin(DataConfig cfg) {
        String s = cfg.source();
        if (s.equals(org.seqlab.data.series.SeasonalSeries.SOURCE)) {
            noFiles(cfg, s + " is generated");
            if (cfg.format() != DataConfig.Format.AUTO && cfg.format() != DataConfig.Format.SERIES)
                throw new FieldException("format", s + " generates a time series: leave format out or set it to series");
            return new Resolved(cfg.resolved(s, DataConfig.Format.SERIES, cfg.mode() != null ? cfg.mode() : DataConfig.Mode.LINES),
                    null, null, null);
        }
        if (!DataConfig.BUILTINS.contains(s))
            throw new FieldException("source", "unknown built-in dataset '" + s + "' (known: " + String.join(", ", DataConfig.BUILTINS) + ")");
        noFiles(cfg, s + " is generated");
        DataConfig.Mode natural = s.equals(DataConfig.MARKOV_CHAIN) ? DataConfig.Mode.STREAM : DataConfig.Mode.LINES;
        if (cfg.mode() != null && cfg.mode() != natural)
            throw new FieldException("mode", s + (natural == DataConfig.Mode.LINES ? " is one example per line: use mode: lines"
                    : " is one continuous stream: use mode: stream"));
        if (cfg.format() != DataConfig.Format.AUTO && cfg.format() != DataConfig.Format.TEXT)
            throw new FieldException("format", s + " generates text: leave format out or set it to text");
        return new Resolved(cfg.resolved(s, DataConfig.Format.TEXT, natural), null, null, null);
    }

    private static Resolved path(DataConfig cfg, Path p) {
        boolean dir = Files.isDirectory(p);
        DataConfig.Format f = cfg.format();
        if (f == DataConfig.Format.AUTO) {
            String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
            f = dir ? (holdsMidi(p) ? DataConfig.Format.MIDI : DataConfig.Format.TEXT)
                    : name.matches(".*\\.(json|pickle|pkl)$") ? DataConfig.Format.PIANOROLL
                    : name.matches(".*\\.midi?$") ? DataConfig.Format.MIDI
                    : name.endsWith(".csv") ? DataConfig.Format.SERIES : DataConfig.Format.TEXT;
        }
        if (!dir || f != DataConfig.Format.TEXT) noFiles(cfg, p + " is " + (dir ? "not read as text files" : "a single file"));
        return new Resolved(cfg.resolved(p.toString(), f, cfg.mode() != null ? cfg.mode() : DataConfig.Mode.LINES), p, null, null);
    }

    private static Resolved registry(DataConfig cfg, RegistryEntry e, DatasetCache.Fetched f) {
        noFiles(cfg, e.name() + " is a single file");
        DataConfig.Format format = cfg.format();
        DataConfig.Mode mode = cfg.mode();
        switch (e.format()) {
            case TEXT, LINES -> {
                if (format == DataConfig.Format.AUTO) format = DataConfig.Format.TEXT;
                if (mode == null) mode = e.format() == RegistryEntry.Format.TEXT ? DataConfig.Mode.STREAM : DataConfig.Mode.LINES;
            }
            case PIANOROLL -> {
                if (format == DataConfig.Format.AUTO) format = DataConfig.Format.PIANOROLL;
            }
            case CSV -> {                                // read by the time-series task (the last column unless data.series says)
                if (format == DataConfig.Format.AUTO) format = DataConfig.Format.SERIES;
            }
        }
        return new Resolved(cfg.resolved(f.file().toString(), format, mode != null ? mode : DataConfig.Mode.LINES), f.file(), e,
                f.sha256());
    }

    /** split_files and documents need a directory of text files. */
    private static void noFiles(DataConfig cfg, String why) {
        if (cfg.splitFiles() != null) throw new FieldException("split_files", "needs a directory of text files as source (" + why + ")");
        if (cfg.documents()) throw new FieldException("documents", "needs a directory of text files as source (" + why + ")");
    }

    private static boolean holdsMidi(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(q -> q.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.midi?$"));
        } catch (IOException | UncheckedIOException e) {
            throw new FieldException("source", "cannot list " + dir + ": " + e.getMessage());
        }
    }
}
