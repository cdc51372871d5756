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
final class SweepCommand implements Callable<Integer>, LaunchNeeds.SparkUser, DryRun {
    @Mixin
    ExperimentOptions options;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Option(names = "--fresh", description = "discard the trials in the output directory (of this or another sweep definition) and start afresh")
    boolean fresh;

    @picocli.CommandLine.Option(names = "--spark", paramLabel = "MASTER",
            description = "run the trials as Spark tasks: local[2], local[2,2] (two attempts a task), spark://host:7077, yarn, ... (wins over sweep.spark.master)")
    String spark;

    /**
     * A class of the Spark module, which is not on the plain launch path: found by name when a sweep
     * or benchmark asks for it ({@code what}: "--spark", "bench sweep").
     */
    static Class<?> sparkClass(String name, String what) {
        try {
            return Class.forName("org.seqlab.spark." + name);
        } catch (ClassNotFoundException e) {
            throw new org.seqlab.core.UserException(what + " needs seqlab's Spark module, which is not on the class path: run it through ./seqlab "
                    + "(it adds modules/spark when a sweep or benchmark asks for Spark), or build it with mvn -pl modules/spark -am package");
        }
    }

    static org.seqlab.experiments.sweep.TrialRunner sparkTrials(String master, ConfigLoader.Loaded loaded, org.seqlab.data.DataSources.Resolved data,
                                                                   Path dir) throws Exception {
        Class<?> c = sparkClass("SparkTrials", "--spark");
        try {
            return (org.seqlab.experiments.sweep.TrialRunner) c.getConstructor(String.class, ConfigLoader.Loaded.class,
                    org.seqlab.data.DataSources.Resolved.class, Path.class).newInstance(master, loaded, data, dir);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    @Override
    public boolean needsSpark() {
        if (spark != null) return true;
        var sweep = options.load().config().sweep();
        return sweep != null && sweep.spark() != null;
    }

    private void checkSpark() {
        if (spark != null) try {
            org.seqlab.experiments.sweep.SparkMaster.check(spark);
        } catch (org.seqlab.core.FieldException e) {
            throw new org.seqlab.core.UserException("--spark " + spark + ": " + e.reason());
        }
    }

    /** The run's checks, the search space's (every value a parameter can take binds) and --spark's form; no master is asked. */
    @Override
    public java.util.List<String> check(Path workDir) {
        checkSpark();
        java.util.List<String> done = new java.util.ArrayList<>(options.check(workDir));
        ConfigLoader.Loaded loaded = options.load();
        new SweepRunner(loaded, workDir.resolve(options.outDir(loaded)), line -> {}, options.catalogue()).check();
        done.add("the sweep's " + loaded.config().sweep().parameters().size() + " parameter(s) take only valid values"
                + (spark != null ? "; --spark " + spark + " is a master URL" : ""));
        return done;
    }

    @Override
    public Integer call() throws Exception {
        // every input is checked before the output directory is claimed: a bad one leaves nothing behind
        checkSpark();
        ConfigLoader.Loaded loaded = options.load();
        Path dir = options.outDir(loaded);
        Catalogue catalogue = options.catalogue();
        SweepRunner runner = new SweepRunner(loaded, dir, line -> {
            synchronized (System.out) {
                System.out.println(line);
            }
        }, catalogue);
        runner.check();
        var yaml = loaded.config().sweep().spark();       // the sweep section exists: SweepRunner checked
        String master = spark != null ? spark : yaml != null ? yaml.master() : null;
        if (master != null) org.seqlab.experiments.sweep.SparkMaster.reachable(master);
        // fetch a registry dataset once, before any trial, and stop here if it cannot be had
        var data = ExperimentRunner.resolveData(loaded, catalogue, System.out::println);
        java.util.List<org.seqlab.experiments.sweep.TrialLog.Trial> trials;
        try (org.seqlab.experiments.DirectoryLock lock = org.seqlab.experiments.DirectoryLock.acquire(dir, "seqlab sweep " + options.file)) {
            org.seqlab.experiments.sweep.SweepIdentity.claim(dir, loaded.tree(), org.seqlab.experiments.sweep.SweepIdentity.dataContent(data), fresh, System.out::println);
            if (master == null) trials = runner.run();
            else try (org.seqlab.experiments.sweep.TrialRunner remote = sparkTrials(master, loaded, data, dir)) {
                trials = runner.run(remote);
            }
        }
        java.util.List<String> bugs = trials.stream().filter(t -> t.log() != null).map(t -> dir.resolve(t.log()).toString()).toList();
        if (!bugs.isEmpty()) {
            System.out.println("sweep report: " + dir.resolve("sweep.html") + " (also sweep.md, trials.jsonl)");
            spec.commandLine().getErr().println("seqlab: " + bugs.size() + " trial(s) failed with an internal error (a bug, not a result); "
                    + "stack traces in " + String.join(", ", bugs));
            return 1;
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
