package org.seqlab.experiments.cli;

import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.experiments.sweep.SweepRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "sweep", description = "Run an experiment's sweep: section (Arbiter random or grid search); re-running resumes.")
final class SweepCommand implements Callable<Integer> {
    @Mixin
    ExperimentOptions options;

    @Override
    public Integer call() throws Exception {
        ConfigLoader.Loaded loaded = options.load();
        Path dir = options.outDir(loaded);
        Catalogue catalogue = options.catalogue();
        // fetch a registry dataset once, before any trial, and stop here if it cannot be had
        ExperimentRunner.resolveData(loaded, catalogue, System.out::println);
        new SweepRunner(loaded, dir, line -> {
            synchronized (System.out) {
                System.out.println(line);
            }
        }, catalogue).run();
        System.out.println("sweep report: " + dir.resolve("sweep.html") + " (also sweep.md, trials.jsonl, best.yaml)");
        return 0;
    }
}
