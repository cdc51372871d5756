package org.seqlab.experiments.cli;

import org.seqlab.core.UserException;
import org.seqlab.data.registry.DatasetCache;
import org.seqlab.data.registry.Downloader;
import org.seqlab.data.registry.Registry;
import org.seqlab.data.registry.RegistryEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "datasets", description = "The public corpora seqlab knows by name (datasets/registry.yaml): list them, "
        + "fetch them into the cache ($SEQLAB_CACHE, default ~/.cache/seqlab), verify cached files.",
        subcommands = {DatasetsCommand.ListCommand.class, DatasetsCommand.Fetch.class, DatasetsCommand.Verify.class})
final class DatasetsCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a command: list, fetch or verify");
    }

    /** Options every datasets command shares (a picocli mixin). */
    static final class CacheOptions {
        @Option(names = "--cache", paramLabel = "DIR", description = "cache directory (default: $SEQLAB_CACHE, else ~/.cache/seqlab)")
        Path dir;

        @Option(names = "--debug", description = "print stack traces")
        boolean debug;

        DatasetCache cache(boolean offline, Downloader downloader) {
            DatasetCache env = DatasetCache.fromEnvironment(offline, downloader);
            return dir == null ? env : new DatasetCache(dir, env.offline(), downloader);
        }
    }

    private static List<RegistryEntry> entries(Registry r, List<String> names) {
        if (names == null || names.isEmpty()) return r.entries();
        List<RegistryEntry> out = new ArrayList<>();
        for (String n : names) out.add(r.get(n));
        return out;
    }

    @Command(name = "list", description = "Name, format, size, whether it is cached, and licence of every registry dataset.")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        CacheOptions options;

        @Override
        public Integer call() {
            Registry r = Registry.load();
            DatasetCache cache = options.cache(false, Downloader.defaults());
            System.out.printf("%-20s %-26s %12s  %-10s %s%n", "name", "format", "bytes", "cached", "licence");
            for (RegistryEntry e : r.entries()) {
                String state = switch (cache.state(e)) {
                    case CACHED -> "yes";
                    case PARTIAL -> "partial";
                    case NOT_CACHED -> "no";
                };
                System.out.printf(Locale.ROOT, "%-20s %-26s %12s  %-10s %s%n", e.name(), e.formatLabel(),
                        e.size() == null ? "unknown" : String.format(Locale.ROOT, "%,d", e.size()), state, e.licence());
            }
            System.out.println("cache: " + cache.root().toAbsolutePath() + "; datasets without a known SHA-256: "
                    + String.join(", ", r.entries().stream().filter(e -> !e.verified()).map(RegistryEntry::name).toList()));
            return 0;
        }
    }

    @Command(name = "fetch", description = "Download datasets into the cache, checking each against its SHA-256; "
            + "a cut-off download resumes where it stopped.")
    static final class Fetch implements Callable<Integer>, DryRun {
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "registry names, e.g. tiny-shakespeare")
        List<String> names;

        @Option(names = "--offline", description = "do not download; say what is missing and where to put it")
        boolean offline;

        @Option(names = "--trust-unverified", description = "also fetch datasets whose SHA-256 the registry does not know, "
                + "recording (and printing) the hash received")
        boolean trustUnverified;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
                description = "give up on a server that sends nothing for this long (default ${DEFAULT-VALUE})")
        double timeout;

        @Mixin
        CacheOptions options;

        /** The names are the registry's and --timeout is positive; nothing is downloaded. */
        @Override
        public List<String> check(Path workDir) {
            if (!(timeout > 0)) throw new UserException("--timeout must be > 0, got " + timeout);
            return List.of("registry datasets " + String.join(", ", entries(Registry.load(), names).stream().map(RegistryEntry::name).toList()));
        }

        @Override
        public Integer call() {
            if (!(timeout > 0)) throw new UserException("--timeout must be > 0, got " + timeout);
            Duration t = Duration.ofMillis((long) (timeout * 1000));
            DatasetCache cache = options.cache(offline, new Downloader(t, t));
            for (RegistryEntry e : entries(Registry.load(), names)) {
                DatasetCache.Fetched f = cache.fetch(e, trustUnverified, System.out::println);
                System.out.println(e.name() + ": " + f.file() + " (" + (f.downloaded() ? "downloaded" : "already cached") + ", sha256 "
                        + f.sha256() + (f.verified() ? ", verified" : ", not verifiable: no published hash") + ")");
            }
            return 0;
        }
    }

    @Command(name = "verify", description = "Rehash cached datasets (all of them, or those named) against the registry.")
    static final class Verify implements Callable<Integer>, DryRun {
        @Parameters(paramLabel = "NAME", arity = "0..*", description = "registry names (default: every cached dataset)")
        List<String> names;

        @Mixin
        CacheOptions options;

        /** The names are the registry's. */
        @Override
        public List<String> check(Path workDir) {
            return List.of("registry datasets " + String.join(", ", entries(Registry.load(), names).stream().map(RegistryEntry::name).toList()));
        }

        @Override
        public Integer call() {
            DatasetCache cache = options.cache(false, Downloader.defaults());
            boolean named = names != null && !names.isEmpty();
            List<String> bad = new ArrayList<>(), missing = new ArrayList<>();
            int checked = 0;
            for (RegistryEntry e : entries(Registry.load(), names)) {
                DatasetCache.Verification v = cache.verify(e);
                if (v.actual() == null) {
                    if (named) {
                        System.out.println(e.name() + ": not cached");
                        missing.add(e.name());
                    }
                    continue;
                }
                checked++;
                if (v.expected() == null) System.out.println(e.name() + ": sha256 " + v.actual() + " (no hash known or recorded to check against)");
                else if (v.ok()) System.out.println(e.name() + ": ok (sha256 " + v.actual() + ")");
                else {
                    System.out.println(e.name() + ": MISMATCH: " + cache.file(e) + " has sha256 " + v.actual() + ", expected " + v.expected());
                    bad.add(e.name());
                }
            }
            if (!bad.isEmpty())
                throw new UserException(bad.size() + " cached dataset(s) do not match their SHA-256: " + String.join(", ", bad)
                        + " (`seqlab datasets fetch " + String.join(" ", bad) + "` replaces them)");
            if (!missing.isEmpty())
                throw new UserException("not in the cache " + cache.root().toAbsolutePath() + ": " + String.join(", ", missing)
                        + " (`seqlab datasets fetch " + String.join(" ", missing) + "`)");
            if (checked == 0) System.out.println("no dataset is cached in " + cache.root().toAbsolutePath());
            return 0;
        }
    }
}
