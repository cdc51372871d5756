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
