package org.seqlab.experiments.cli;

import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.sweep.SweepRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "sweep", description = "Run an experiment's sweep: section (Arbiter random or grid search); re-running resumes.")
final class SweepCommand implements Callable<Integer> {
    @Parameters(paramLabel = "EXPERIMENT.yaml", description = "experiment with a sweep: section, e.g. experiments/sweep-lstm.yaml")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a field before the sweep")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: reports/<experiment name>)")
    Path out;

    @Option(names = "--debug", description = "print stack traces")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        ConfigLoader.Loaded loaded = ConfigLoader.load(file, overrides);
        Path dir = out != null ? out : Path.of("reports", loaded.config().name());
        new SweepRunner(loaded, dir, line -> {
            synchronized (System.out) {
                System.out.println(line);
            }
        }).run();
        System.out.println("sweep report: " + dir.resolve("sweep.html") + " (also sweep.md, trials.jsonl, best.yaml)");
        return 0;
    }
}
