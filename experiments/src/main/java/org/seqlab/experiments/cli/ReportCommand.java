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
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "1..*", description = "output directories of earlier runs (each holds results.json)")
    List<Path> dirs;

    @Option(names = "--out", paramLabel = "DIR", description = "where the report goes (default: the directory itself, or reports/comparison)")
    Path out;

    @Option(names = "--debug", description = "print stack traces")
    boolean debug;

    @Override
    public Integer call() throws IOException {
        List<Results.Run> runs = new ArrayList<>();
        Results first = null;
        Set<String> names = new HashSet<>();
        Path target = out != null ? out : dirs.size() == 1 ? dirs.get(0) : Path.of("reports", "comparison");
        Files.createDirectories(target);
        List<String> datasets = new ArrayList<>(), experiments = new ArrayList<>();
        List<Results.PublishedFigure> published = new ArrayList<>();
        for (Path d : dirs) {
            Path file = d.resolve("results.json");
            if (!Files.isRegularFile(file)) throw new UserException(d + ": no results.json (not a seqlab output directory?)");
            Results r;
            try {
                r = Json.MAPPER.readValue(file.toFile(), Results.class);
            } catch (IOException e) {
                throw new UserException(file + ": unreadable results: " + e.getMessage());
            }
            if (first == null) first = r;
            published.addAll(r.published());
            experiments.add(r.experiment());
            if (!datasets.contains(r.dataset().sha256())) datasets.add(r.dataset().sha256());
            for (Results.Run run : r.runs()) {
                String name = dirs.size() == 1 ? run.model() : r.experiment() + "/" + run.model();
                while (!names.add(name + "#" + run.seed())) name = d.getFileName() + "/" + name;
                String picture = run.picture();
                if (picture != null && !target.equals(d) && Files.exists(d.resolve(picture))) {
                    String copy = org.seqlab.core.FileNames.of(d.getFileName() + "-" + picture);
                    org.seqlab.core.AtomicFiles.writeBytes(target.resolve(copy), Files.readAllBytes(d.resolve(picture)));
                    picture = copy;
                }
                String ckpt = run.checkpoint() == null ? null : target.toAbsolutePath().relativize(d.resolve(run.checkpoint()).toAbsolutePath()).toString();
                runs.add(run.inComparison(name, ckpt, picture, run.experiment() != null ? run.experiment() : r.experiment()));
            }
        }
        if (datasets.size() > 1)
            System.err.println("seqlab: warning: the runs used " + datasets.size() + " different datasets; losses are not comparable across them");
        String name = dirs.size() == 1 ? first.experiment() : "comparison";
        String description = dirs.size() == 1 ? first.description()
                : "A comparison of " + String.join(", ", experiments) + " (training settings and provenance: the first one's).";
        Results merged = first.withRuns(name, description, datasets.size() == 1 ? first.optimumLoss() : null, runs, published);
        if (dirs.size() > 1 || !target.equals(dirs.get(0))) Json.writeFile(target.resolve("results.json"), merged);
        new ReportWriter(merged).write(target);
        System.out.println("report: " + target.resolve("report.html") + " (" + runs.size() + " runs from " + dirs.size() + " directories)");
        return 0;
    }
}
