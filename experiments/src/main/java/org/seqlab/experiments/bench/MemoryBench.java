package org.seqlab.experiments.bench;

import org.seqlab.core.MemoryUse;
import org.seqlab.core.train.TrainingListener;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.core.Results;
import org.seqlab.data.registry.Catalogue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Memory of a whole experiment in one JVM: every model of the file trained for the same short
 * budget, one after the other, as {@code seqlab run} does. Prints each model's peak resident
 * memory and, last, the process's peak over the whole experiment ({@code peak_rss_gb=}).
 */
public final class MemoryBench {
    private final Path experiment;
    private final double seconds;
    private final PrintStream out;

    public MemoryBench(Path experiment, double seconds, PrintStream out) {
        this.experiment = experiment;
        this.seconds = seconds;
        this.out = out;
    }

    public void run() throws IOException {
        if (!MemoryUse.measurable()) {
            out.println("memory: this system does not report resident memory (/proc/self/status); nothing to measure");
            return;
        }
        ConfigLoader.Loaded loaded = ConfigLoader.load(experiment, List.of("training.budget_seconds=" + seconds));
        Path dir = Files.createTempDirectory("seqlab-bench-memory");
        out.printf(Locale.ROOT, "memory: %s, %d models, %.0f s of training each, one JVM (heap max %s, off-heap budget %s)%n",
                experiment, loaded.config().models().size(), seconds, MemoryUse.gb(Runtime.getRuntime().maxMemory()),
                org.seqlab.core.MemoryBudget.fromEnvironment().source());
        ExperimentRunner.Console console = new ExperimentRunner.Console() {
            @Override
            public void info(String line) {
                out.println("  " + line);
            }

            @Override
            public TrainingListener listener() {
                return TrainingListener.SILENT;
            }
        };
        Results r = new ExperimentRunner(loaded, dir, console, true, "seqlab bench memory", Catalogue.fromEnvironment(false)).run();
        long peak = MemoryUse.now().rssBytes();
        for (Results.Run run : r.runs()) {
            Results.MemoryPeak m = run.memory();
            if (m == null) continue;
            peak = Math.max(peak, m.peakRssBytes());
            out.printf(Locale.ROOT, "memory_%s_peak_rss_gb=%.2f off_heap_gb=%.2f status=%s%n", run.model().replaceAll("[^A-Za-z0-9_-]", "_"),
                    m.peakRssBytes() / 1e9, m.peakOffHeapBytes() / 1e9, run.status());
        }
        out.println("report: " + dir.resolve("report.html"));
        out.printf(Locale.ROOT, "peak_rss_gb=%.2f%n", peak / 1e9);
    }
}
