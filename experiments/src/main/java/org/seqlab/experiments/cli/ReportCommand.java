package org.seqlab.experiments.cli;

import org.seqlab.core.Json;
import org.seqlab.core.UserException;
import org.seqlab.experiments.ReportWriter;
import org.seqlab.core.Results;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "report", description = "Rebuild the report of an earlier run, or compare several runs in one report.")
final class ReportCommand implements Callable<Integer>, DryRun {
    @Parameters(paramLabel = "DIR", arity = "1..*", description = "output directories of earlier runs (each holds results.json)")
    List<Path> dirs;

    @Option(names = "--out", paramLabel = "DIR", description = "where the report goes (default: the directory itself, or reports/comparison)")
    Path out;

    @Option(names = "--debug", description = "print stack traces")
    boolean debug;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Each directory holds a results.json that reads, or is one a shipped experiment writes. */
    @Override
    public List<String> check(Path workDir) {
        List<String> done = new ArrayList<>();
        for (Path d : dirs) {
            String later = Files.exists(d) ? null : EarlierOutputs.runDirectory(workDir, d);
            if (later != null) done.add(later);
            else {
                results(d);
                done.add(d.resolve("results.json") + " reads");
            }
        }
        return done;
    }

    @Override
    public Integer call() throws IOException {
        java.io.PrintWriter err = spec.commandLine().getErr();
        // the same directory named twice (as ./x and x, or through a link) is one set of runs
        List<Path> unique = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path d : dirs)
            if (seen.add(Files.exists(d) ? d.toRealPath() : d.toAbsolutePath().normalize())) unique.add(d);
            else err.println("seqlab: warning: " + d + " is named more than once; its runs are reported once");
        // every input is read and checked before anything is written
        List<Results> read = new ArrayList<>();
        for (Path d : unique) read.add(results(d));
        Path target = out != null ? out : unique.size() == 1 ? unique.get(0) : Path.of("reports", "comparison");
        try (org.seqlab.experiments.DirectoryLock lock = org.seqlab.experiments.DirectoryLock.acquire(target, "seqlab report")) {
            return write(unique, read, target, err);
        }
    }

    /** A directory's results, or one line saying why it has none. */
    private static Results results(Path d) {
        Path file = d.resolve("results.json");
        if (Files.isRegularFile(file)) return Results.read(file);
        if (!Files.isDirectory(d)) throw new UserException(d + ": no such directory (expected the output directory of seqlab run)");
        if (Files.exists(d.resolve("trials.jsonl")) || Files.exists(d.resolve("sweep-definition.json")))
            throw new UserException(d + ": a sweep's directory: its report is " + d.resolve("sweep.html") + " (rewritten by each seqlab sweep); "
                    + "to compare trials, name their directories, e.g. seqlab report " + d.resolve("trials/trial-000") + " " + d.resolve("trials/trial-001"));
        throw new UserException(d + ": no results.json (not a seqlab output directory, or its run has not finished)");
    }

    private int write(List<Path> dirs, List<Results> read, Path target, java.io.PrintWriter err) throws IOException {
        List<Results.Run> runs = new ArrayList<>();
        Results first = null;
        Set<String> names = new HashSet<>();
        List<String> datasets = new ArrayList<>(), experiments = new ArrayList<>();
        List<Results.PublishedFigure> published = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) {
            Path d = dirs.get(i);
            Results r = read.get(i);
            if (first == null) first = r;
            published.addAll(r.published());
            experiments.add(r.experiment());
            if (!datasets.contains(r.dataset().sha256())) datasets.add(r.dataset().sha256());
            for (Results.Run run : r.runs()) {
                String name = dirs.size() == 1 ? run.model() : r.experiment() + "/" + run.model();
                while (!names.add(name + "#" + run.seed())) name = d.getFileName() + "/" + name;
                String picture = run.picture();
                if (picture != null && !Files.isRegularFile(d.resolve(picture))) {
                    err.println("seqlab: warning: " + d.resolve(picture) + " (the picture of " + run.model() + ") is missing; the report goes without it");
                    picture = null;
                } else if (picture != null && !target.equals(d)) {
                    String copy = org.seqlab.core.FileNames.of(d.getFileName() + "-" + picture);
                    org.seqlab.core.AtomicFiles.writeBytes(target.resolve(copy), Files.readAllBytes(d.resolve(picture)));
                    picture = copy;
                }
                for (Results.SampleSet set : run.samples())
                    for (String f : files(set))
                        if (!Files.isRegularFile(d.resolve(f)))
                            err.println("seqlab: warning: " + d.resolve(f) + " (a sample of " + run.model() + ") is missing; its link in the report is broken");
                String ckpt = run.checkpoint() == null ? null : target.toAbsolutePath().relativize(d.resolve(run.checkpoint()).toAbsolutePath()).toString();
                runs.add(run.inComparison(name, ckpt, picture, run.experiment() != null ? run.experiment() : r.experiment()));
            }
        }
        if (datasets.size() > 1)
            err.println("seqlab: warning: the runs used " + datasets.size() + " different datasets; losses are not comparable across them");
        String name = dirs.size() == 1 ? first.experiment() : "comparison";
        String description = dirs.size() == 1 ? first.description()
                : "A comparison of " + String.join(", ", experiments) + " (training settings and provenance: the first one's).";
        Results merged = first.withRuns(name, description, datasets.size() == 1 ? first.optimumLoss() : null, runs, published);
        if (dirs.size() > 1 || !target.equals(dirs.get(0))) Json.writeFile(target.resolve("results.json"), merged);
        new ReportWriter(merged).write(target);
        System.out.println("report: " + target.resolve("report.html") + " (" + runs.size() + " runs from " + dirs.size() + " directories)");
        return 0;
    }

    /** The files a sample set links to: its MIDI samples (the report treats a text ending in .mid as one) and their audio. */
    private static List<String> files(Results.SampleSet set) {
        List<String> all = new ArrayList<>();
        for (String t : set.texts()) if (t.endsWith(".mid")) all.add(t);
        all.addAll(set.audio());
        return all;
    }
}
