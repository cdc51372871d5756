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

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ConfigLoader.Loaded loaded = options.load();
        Path dir = options.outDir(loaded);
        Catalogue catalogue = options.catalogue();
        // fetch a registry dataset once, before any trial, and stop here if it cannot be had
        ExperimentRunner.resolveData(loaded, catalogue, System.out::println);
        var trials = new SweepRunner(loaded, dir, line -> {
            synchronized (System.out) {
                System.out.println(line);
            }
        }, catalogue).run();
        if (org.seqlab.experiments.sweep.SweepReport.best(trials) == null) {
            System.out.println("sweep report: " + dir.resolve("sweep.html") + " (also sweep.md, trials.jsonl)");
            spec.commandLine().getErr().println("seqlab: no trial of the sweep finished successfully ("
                    + trials.stream().collect(java.util.stream.Collectors.groupingBy(t -> t.status(), java.util.TreeMap::new,
                            java.util.stream.Collectors.counting())) + "), so there is no best.yaml; trials.jsonl says why for each");
            return 1;
        }
        System.out.println("sweep report: " + dir.resolve("sweep.html") + " (also sweep.md, trials.jsonl, best.yaml)");
        return 0;
    }
}
