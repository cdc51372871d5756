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

    @picocli.CommandLine.Option(names = "--fresh", description = "discard the trials in the output directory (of this or another sweep definition) and start afresh")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        ConfigLoader.Loaded loaded = options.load();
        Path dir = options.outDir(loaded);
        Catalogue catalogue = options.catalogue();
        // fetch a registry dataset once, before any trial, and stop here if it cannot be had
        var data = ExperimentRunner.resolveData(loaded, catalogue, System.out::println);
        java.util.List<org.seqlab.experiments.sweep.TrialLog.Trial> trials;
        try (org.seqlab.experiments.DirectoryLock lock = org.seqlab.experiments.DirectoryLock.acquire(dir, "seqlab sweep " + options.file)) {
            org.seqlab.experiments.sweep.SweepIdentity.claim(dir, loaded.tree(), org.seqlab.experiments.sweep.SweepIdentity.dataContent(data), fresh, System.out::println);
            trials = new SweepRunner(loaded, dir, line -> {
                synchronized (System.out) {
                    System.out.println(line);
                }
            }, catalogue).run();
        }
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
