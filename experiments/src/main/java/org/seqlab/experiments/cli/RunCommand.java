package org.seqlab.experiments.cli;

import org.seqlab.core.train.TrainingListener;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.core.Results;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "run", description = "Train every model of an experiment and write its report.")
final class RunCommand implements Callable<Integer>, DryRun {
    @Mixin
    ExperimentOptions options;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--fresh", description = "retrain every model even if an earlier run finished it")
    boolean fresh;

    @Override
    public java.util.List<String> check(Path workDir) {
        return options.check(workDir);
    }

    @Override
    public Integer call() throws Exception {
        ConfigLoader.Loaded loaded = options.load();
        Path dir = options.outDir(loaded);
        ConsoleProgress progress = new ConsoleProgress(System.err);
        ExperimentRunner.Console console = new ExperimentRunner.Console() {
            @Override
            public void info(String line) {
                System.out.println(line);
            }

            @Override
            public TrainingListener listener() {
                return progress;
            }
        };
        String command = "seqlab run " + options.file + (options.overrides.isEmpty() ? "" : " --set " + String.join(" --set ", options.overrides));
        Results r = new ExperimentRunner(loaded, dir, console, fresh, command, options.catalogue()).run();
        System.out.println();
        if (r.dataset().values()) {
            org.seqlab.experiments.ExperimentRunner.seriesSummary(r).forEach(System.out::println);
            System.out.println("report: " + dir.resolve("report.html") + " (also report.md, results.json)");
            return exitCode(r, spec.commandLine().getErr());
        }
        String unit = r.dataset().frames() ? "nats/frame" : "nats/token";
        if (r.optimumLoss() != null)
            System.out.printf("optimum (entropy rate)   %.4f %s%n", r.optimumLoss(), unit);
        var baseline = r.baselines().entrySet().iterator().next();
        System.out.printf("%-24s %.4f %s%n", baseline.getKey() + " baseline", baseline.getValue().testLoss(), unit);
        boolean repeated = r.runs().size() > loaded.config().models().size();
        for (Results.Run run : r.runs()) {
            String label = run.model() + (repeated ? " s" + run.seed() : "");
            var m = run.metrics();
            if (m == null) {
                System.out.printf("%-24s %s%n", label, run.status());
                continue;
            }
            // frames: the loss is a sum over keys, whose exponential means nothing; a perplexity
            // too large for a double is left out rather than printed as "null"
            String perplexity = r.dataset().frames() || m.testPerplexity() == null ? "" : String.format(", perplexity %.3f", m.testPerplexity());
            String accuracy = m.testAccuracy() == null ? "" : ", accuracy " + m.testAccuracyText();
            System.out.printf("%-24s %s %s%s%s%s%n", label, m.testLoss() == null ? "n/a" : String.format("%.4f", m.testLoss()), unit,
                    perplexity, accuracy, run.status().equals("ok") ? "" : " (" + run.status() + ")");
        }
        System.out.println("report: " + dir.resolve("report.html") + " (also report.md, results.json)");
        return exitCode(r, spec.commandLine().getErr());
    }

    /**
     * 0 when at least one model trained to a usable result and none failed for an internal reason;
     * 1, with one line saying so, when a model hit a bug (its stack trace's file named) or none succeeded.
     */
    static int exitCode(Results r, java.io.PrintWriter err) {
        java.util.List<Results.Run> bugs = r.runs().stream().filter(x -> x.errorLog() != null).toList();
        if (!bugs.isEmpty()) {
            err.println("seqlab: " + bugs.size() + " model run(s) failed with an internal error (a bug, not a result): "
                    + bugs.stream().map(x -> x.model() + " (stack trace in " + x.errorLog() + ")").collect(java.util.stream.Collectors.joining(", ")));
            return 1;
        }
        if (r.runs().stream().anyMatch(RunCommand::succeeded)) return 0;
        err.println("seqlab: no model trained successfully ("
                + r.runs().stream().map(x -> x.model() + ": " + x.status()).collect(java.util.stream.Collectors.joining(", "))
                + "); the report says why for each");
        return 1;
    }

    /** A run that finished with metrics and did not fail or diverge (pruned and stopped runs count). */
    static boolean succeeded(Results.Run run) {
        return run.metrics() != null && Results.usable(run.status());
    }
}
