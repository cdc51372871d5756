package org.seqlab.experiments.cli;

import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options every command that runs an experiment file shares (a picocli mixin). */
final class ExperimentOptions {
    @Parameters(paramLabel = "EXPERIMENT.yaml", description = "experiment file, e.g. experiments/quickstart.yaml")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a field, e.g. --set training.lr=0.01 --set models[0].hidden=64")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: reports/<experiment name>)")
    Path out;

    @Option(names = "--debug", description = "print stack traces")
    boolean debug;

    @Option(names = "--offline", description = "never download: a registry dataset must already be in the cache "
            + "(as with SEQLAB_OFFLINE=1); the error says which URL to fetch and where to put the file")
    boolean offline;

    /**
     * The dry run's checks: the file loads and validates with its --set overrides and what it
     * extends, its data is found (without reading or fetching it), and --out is not a file.
     */
    List<String> check(Path workDir) {
        ConfigLoader.Loaded loaded = load();
        List<String> done = new ArrayList<>();
        done.add(file + " loads" + (overrides.isEmpty() ? "" : " with " + String.join(", ", overrides)) + " (models: "
                + String.join(", ", loaded.config().models().stream().map(m -> m.name()).toList()) + ")");
        try {
            done.add(org.seqlab.data.DataSources.locate(loaded.config().data(), workDir, loaded.file().toAbsolutePath().getParent(),
                    org.seqlab.data.registry.Registry.load()));
        } catch (org.seqlab.core.FieldException e) {
            throw loaded.locations().error("data", e);
        }
        if (out != null && java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out))
            throw new org.seqlab.core.UserException("--out " + out + ": a file, not a directory");
        return done;
    }

    ConfigLoader.Loaded load() {
        return ConfigLoader.load(file, overrides);
    }

    /** The registry and the cache ($SEQLAB_CACHE) that {@code data.source: NAME} resolves through. */
    Catalogue catalogue() {
        return Catalogue.fromEnvironment(offline);
    }

    Path outDir(ConfigLoader.Loaded loaded) {
        return out != null ? out : Path.of("reports", loaded.config().name());
    }
}
