package org.seqlab.experiments;

import org.seqlab.core.Png;
import org.seqlab.core.Results;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.train.EpochRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Writes {@code report.md}, a self-contained {@code report.html} (images inlined) and the curve
 * images from {@link Results}: the comparison table with the optimum and baseline beside every
 * model, learning curves against tokens seen and against time, samples and provenance.
 */
public final class ReportWriter {
    private final Results r;
    /** The paired comparisons, read by {@link #write} from the per-example test losses beside results.json. */
    private org.seqlab.experiments.compare.DifferenceSection differences;

    /** A report is a function of the results alone: everything it shows is in results.json. */
    public ReportWriter(Results results) {
        this.r = results;
    }

    public void write(Path dir) throws IOException {
        Map<String, byte[]> images = new LinkedHashMap<>();
        differences = org.seqlab.experiments.compare.DifferenceSection.read(dir, r);     // from test-losses/ beside results.json
        images.putAll(differences.images());
        for (Results.Run run : r.runs())
            if (run.picture() != null && Files.exists(dir.resolve(run.picture())))
                images.put(run.picture(), Files.readAllBytes(dir.resolve(run.picture())));
        String seen = r.dataset().values() ? "values" : "tokens";
        images.put("curves-tokens.png", chart("Validation loss vs training " + seen, "training " + seen + " seen", EpochRecord::tokensSeen));
        images.put("curves-time.png", chart("Validation loss vs wall-clock time", "seconds of training", EpochRecord::seconds));
        if (r.dataset().values()) images.putAll(new SeriesReport(r).images());    // accuracy does not apply to values
        else images.put("curves-accuracy.png", chart("Validation accuracy vs training " + (r.dataset().frames() ? "frames" : "tokens"),
                "training " + (r.dataset().frames() ? "frames" : "tokens") + " seen", EpochRecord::tokensSeen, EpochRecord::validAccuracy,
                "validation accuracy", false));
        for (var e : images.entrySet())
            if (e.getKey().startsWith("curves-") || e.getKey().equals(org.seqlab.experiments.compare.DifferenceSection.PICTURE) || e.getKey().startsWith("forecast-") || e.getKey().startsWith("residuals-"))
                AtomicFiles.writeBytes(dir.resolve(e.getKey()), e.getValue());
        String md = markdown();
        AtomicFiles.writeString(dir.resolve("report.md"), md);
        AtomicFiles.writeString(dir.resolve("report.html"), html(md, images));
        AtomicFiles.writeString(dir.resolve("samples.txt"), samplesText());
    }

    String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("# ").append(r.experiment()).append("\n\n");
        if (r.description() != null) s.append(r.description().strip()).append("\n\n");
        var d = r.dataset();
        String unit = d.unit().word();
        String registry = d.registry() == null ? "" : ", registry dataset `" + d.registry() + "`";
        if (d.values())
            s.append(String.format(Locale.ROOT, "Dataset **%s** (`%s`%s): %,d / %,d / %,d train / valid / test values to predict "
                            + "(chronological split), series %s, sha256 `%s`.%n%n", d.name(), d.source(), registry, d.tokens().train(),
                    d.tokens().valid(), d.tokens().test(), String.join(", ", d.series().columns()), d.sha256().substring(0, 16)));
        else
            s.append(String.format(Locale.ROOT, "Dataset **%s** (`%s`%s): %,d / %,d / %,d train / valid / test %ss to predict, %s %d%s, sha256 `%s`%s.%n%n",
                    d.name(), d.source(), registry, d.tokens().train(), d.tokens().valid(), d.tokens().test(), unit,
                    d.frames() ? "keys" : "vocabulary", d.vocabularySize(), d.tokenizer() == null ? "" : " (" + d.tokenizer() + " tokens)",
                    d.sha256().substring(0, 16), d.split() == null ? "" : "; split: " + d.split().describe()));
        if (d.skipped() != null && !d.skipped().isEmpty()) {
            s.append("**").append(d.skipped().size()).append(" input file(s) could not be read and were skipped:**\n\n");
            for (String why : d.skipped()) s.append("- ").append(why.replace("|", "/")).append('\n');
            s.append('\n');
        }
        if (d.values()) return seriesMarkdown(s);
        s.append("## Results\n\n");
        boolean frames = d.frames();
        s.append((frames ? "Losses are negative log-likelihood per frame (nats, summed over the 88 keys, as published). Accuracy is TP/(TP+FP+FN) over "
                + "all test frames: *expected*, as Boulanger-Lewandowski et al. (2012) report it, when every key is drawn from the model's "
                + "probabilities; *thresholded*, of the one prediction that turns on the keys at 0.5 or more. "
                + "A model with a NADE head (`output: nade`) has no closed form for the first: its expected accuracy is "
                + "*estimated by sampling* (" + org.seqlab.core.head.NadeHead.SAMPLES + " frames per test step, from a fixed seed), and its "
                + "thresholded accuracy is that of the greedy frame (each key on at 0.5 given the keys chosen below it). "
                : "Losses in nats per token. ") + "Metrics come from each model's best validation checkpoint; "
                + "*gap* is how far a model is above the best possible loss.\n\n");
        s.append("| model | family | params | valid loss | valid perplexity | valid accuracy | test loss | test perplexity | bits/token | "
                + (frames ? "test accuracy (expected) | test accuracy (thresholded)" : "test accuracy") + " | gap to optimum | train s | tokens/s | status |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|" + (frames ? "---:|" : "") + "---:|---:|---:|---|\n");
        String noAccuracy = frames ? "— | —" : "—";
        Double opt = r.optimumLoss();
        if (opt != null)
            s.append(String.format(Locale.ROOT, "| **optimum** (entropy rate of the generating process) | — | — | — | — | — | %.4f | %.3f | %.4f | %s | 0 | — | — | |%n",
                    opt, Math.exp(opt), opt / Math.log(2), noAccuracy));
        String baseline = r.baselines().keySet().iterator().next();
        Results.Baseline uni = r.baselines().get(baseline);
        s.append(String.format(Locale.ROOT, "| %s baseline | — | %d | — | — | — | %s | %s | %s | %s | %s | — | — | |%n",
                baseline, d.vocabularySize(), f4(uni.testLoss()), f3(uni.testPerplexity()), f4(bits(uni.testLoss())),
                frames ? pct(uni.testExpectedAccuracy()) + " | " + pct(uni.testAccuracy()) : pct(uni.testAccuracy()), gap(uni.testLoss(), opt)));
        List<String> experiments = experiments();
        if (experiments.size() <= 1)
            for (Results.PublishedFigure f : r.published())
                s.append(String.format(Locale.ROOT, "| *%s* (published) | — | — | — | — | — | %s | %s | %s | %s | %s | — | — | %s |%n",
                        f.model().replace("|", "/"), f4(f.testLoss()), f3(d.values() ? null : Math.exp(f.testLoss())), f4(bits(f.testLoss())),
                        noAccuracy, gap(f.testLoss(), opt), f.source().replace("|", "/")));
        boolean repeated = repeated();
        for (Results.Run run : r.runs()) {
            var m = run.metrics();
            String label = repeated ? run.model() + " (seed " + run.seed() + ")" : run.model();
            String status = run.status() + (run.message() != null ? ": " + run.message().replace("|", "/") : "");
            if (m == null) {
                s.append(String.format(Locale.ROOT, "| %s | %s | %,d | — | — | — | — | — | — | %s | — | — | — | %s |%n",
                        label, run.family(), run.params(), noAccuracy, status));
                continue;
            }
            s.append(String.format(Locale.ROOT, "| **%s** | %s | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %,.0f | %s |%n",
                    label, run.family(), run.params(), f4(m.validLoss()), f3(m.validPerplexity()), pct(m.validAccuracy()),
                    f4(m.testLoss()), f3(m.testPerplexity()),
                    f4(m.testBitsPerToken()), frames ? pct(m.testExpectedAccuracy()) + " | " + pct(m.testAccuracy()) : pct(m.testAccuracy()),
                    gap(m.testLoss(), opt), m.trainSeconds(),
                    m.trainTokensPerS() == null ? 0 : m.trainTokensPerS(), status));
        }
        if (d.trueModelTestLoss() != null)
            s.append(String.format(Locale.ROOT, "%nThe true generating process scores %.4f nats/token on this test split "
                    + "(the entropy rate is its expectation).%n", d.trueModelTestLoss()));
        if (repeated()) s.append(repeats());
        if (experiments.size() > 1) s.append(acrossExperiments(experiments));
        if (differences != null) s.append(differences.markdown());
        s.append("\n## Learning curves\n\n![validation loss vs tokens](curves-tokens.png)\n\n![validation loss vs time](curves-time.png)\n\n"
                + "![validation accuracy vs tokens](curves-accuracy.png)\n\n");
        s.append(settingsTable());
        boolean pictures = r.runs().stream().anyMatch(run -> run.picture() != null);
        if (pictures) {
            s.append(d.frames() ? "## Generated music\n\n" : "## Hidden states\n\n");
            s.append(d.frames() ? "Each model (best checkpoint) continues the start of the first test tune; the MIDI files are listed under Samples.\n\n"
                    : "Activations of each model (best checkpoint) while it reads the first test example, one column per input character.\n\n");
            java.util.Set<String> drawn = new java.util.HashSet<>();
            for (Results.Run run : r.runs())
                if (run.picture() != null && drawn.add(run.picture())) s.append("![").append(run.model()).append(" hidden states](").append(run.picture()).append(")\n\n");
        }
        s.append("## Samples\n\n");
        java.util.Set<String> sampled = new java.util.HashSet<>();
        boolean silentMidi = false;
        for (Results.Run run : r.runs()) {
            if (run.samples().isEmpty() || !sampled.add(run.model())) continue;
            s.append("### ").append(run.model()).append("\n\n");
            for (Results.SampleSet set : run.samples()) {
                s.append("- **").append(set.label()).append("**: ");
                List<String> shownTexts = new java.util.ArrayList<>();
                for (int i = 0; i < set.texts().size(); i++) {
                    String t = set.texts().get(i);
                    if (!t.endsWith(".mid")) {
                        shownTexts.add(shown(t));
                        continue;
                    }
                    String link = "[" + t.replaceFirst(".*/", "") + "](" + t + ")";
                    if (i < set.audio().size()) link += " <audio controls preload=\"none\" src=\"" + set.audio().get(i) + "\"></audio>";
                    else silentMidi = true;
                    shownTexts.add(link);
                }
                s.append(String.join(", ", shownTexts)).append("\n");
            }
            s.append("\n");
        }
        if (silentMidi)
            s.append("These MIDI samples were not rendered to audio (the JVM lacked `").append(org.seqlab.data.music.WavRenderer.EXPORT)
                    .append("`, which `./seqlab` gives); `./seqlab render FILE.mid` renders one.\n\n");
        return tail(s);
    }

    /** The experiments the runs come from, in order (one, or none named, for an experiment's own report). */
    private List<String> experiments() {
        java.util.LinkedHashSet<String> e = new java.util.LinkedHashSet<>();
        for (Results.Run run : r.runs()) if (run.experiment() != null) e.add(run.experiment());
        for (Results.PublishedFigure f : r.published()) if (f.experiment() != null) e.add(f.experiment());
        return List.copyOf(e);
    }

    /**
     * A comparison of several experiments (e.g. the four polyphonic benchmarks): one row per model
     * name and published figure, one column per experiment, test loss in each (the mean over seeds),
     * with the figures' sources below.
     */
    private String acrossExperiments(List<String> experiments) {
        StringBuilder s = new StringBuilder("\n## Across experiments\n\nTest loss of each model in each experiment (mean over seeds), beside the published figures each experiment lists.\n\n| model |");
        for (String e : experiments) s.append(' ').append(e.replace("|", "/")).append(" |");
        s.append("\n|---|").append("---:|".repeat(experiments.size())).append('\n');
        Map<String, Map<String, List<Double>>> losses = new LinkedHashMap<>();
        for (Results.Run run : r.runs()) {
            String name = run.modelName() != null ? run.modelName() : run.model();
            List<Double> cell = losses.computeIfAbsent(name, k -> new LinkedHashMap<>()).computeIfAbsent(run.experiment(), k -> new java.util.ArrayList<>());
            if (run.metrics() != null && run.metrics().testLoss() != null) cell.add(run.metrics().testLoss());
        }
        for (Map.Entry<String, Map<String, List<Double>>> row : losses.entrySet()) {
            s.append("| **").append(row.getKey().replace("|", "/")).append("** |");
            for (String e : experiments) {
                List<Double> v = row.getValue().get(e);
                s.append(' ').append(v == null || v.isEmpty() ? "—" : f4(v.stream().mapToDouble(Double::doubleValue).average().orElseThrow())).append(" |");
            }
            s.append('\n');
        }
        Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
        for (Results.PublishedFigure f : r.published()) figures.computeIfAbsent(f.model(), k -> new LinkedHashMap<>()).put(f.experiment(), f.testLoss());
        for (Map.Entry<String, Map<String, Double>> row : figures.entrySet()) {
            s.append("| *").append(row.getKey().replace("|", "/")).append("* (published) |");
            for (String e : experiments) s.append(' ').append(row.getValue().containsKey(e) ? f4(row.getValue().get(e)) : "—").append(" |");
            s.append('\n');
        }
        if (!r.published().isEmpty()) {
            s.append("\nSources:\n\n");
            for (Results.PublishedFigure f : r.published())
                s.append("- ").append(f.experiment()).append(", ").append(f.model()).append(": ").append(f.source()).append('\n');
        }
        return s.append('\n').toString();
    }

    /** A time-series report: forecasts against the naive baselines instead of perplexities and samples. */
    private String seriesMarkdown(StringBuilder s) {
        s.append(new SeriesReport(r).markdown());
        if (repeated()) s.append(repeats());
        if (differences != null) s.append(differences.markdown());
        s.append("\n## Learning curves\n\n![validation loss vs values seen](curves-tokens.png)\n\n![validation loss vs time](curves-time.png)\n\n");
        s.append(settingsTable());
        return tail(s);
    }

    /** Training settings and provenance, the end of every report. */
    private String tail(StringBuilder s) {
        s.append("## Training settings\n\n");
        var t = r.training();
        if (t == null) s.append("Not recorded (results.json from an older seqlab).\n\n");
        else s.append(String.format(Locale.ROOT, "%d epochs, batch %d × %d steps, %s lr %s (%s schedule), clip %s %s, seeds %s.%n%n",
                t.epochs(), t.batchSize(), t.seqLen(), t.optimizer().type().name().toLowerCase(Locale.ROOT), t.lr(),
                t.schedule().type().name().toLowerCase(Locale.ROOT), t.clip().mode().name().toLowerCase(Locale.ROOT),
                t.clip().threshold(), r.seeds()));
        s.append("## Provenance\n\n");
        var e = r.environment();
        if (e == null) return s.append("Not recorded (results.json from an older seqlab); see `provenance.json`.\n").toString();
        s.append("- commit: `").append(e.gitCommit() == null ? "none (not a git work tree)" : e.gitCommit()
                + (Boolean.TRUE.equals(e.gitDirty()) ? " (with uncommitted changes)" : "")).append("`\n");
        s.append("- JVM: ").append(e.jvm()).append("\n- OS: ").append(e.os()).append("\n- ND4J: ").append(e.backend()).append("\n");
        s.append("- started: ").append(e.startTime()).append("\n- full record: `provenance.json`, numbers: `results.json`\n");
        return s.toString();
    }

    /** Whether some model ran with several seeds (runs are then labelled with theirs). */
    private boolean repeated() {
        return r.runs().stream().map(Results.Run::model).distinct().count() < r.runs().size();
    }

    /** Mean ± std and 95% intervals over seeds, and which models the intervals cannot tell apart. */
    private String repeats() {
        StringBuilder s = new StringBuilder("\n### Over seeds\n\n");
        s.append("| model | seeds | test loss mean ± std | 95% interval | test accuracy mean ± std |\n|---|---:|---:|---:|---:|\n");
        List<SeedSummary> loss = SeedSummary.byModel(r.runs(), Results.RunMetrics::testLoss);
        List<SeedSummary> acc = SeedSummary.byModel(r.runs(), Results.RunMetrics::testAccuracy);
        for (SeedSummary l : loss) {
            SeedSummary a = acc.stream().filter(x -> x.model().equals(l.model())).findFirst().orElse(null);
            s.append(String.format(Locale.ROOT, "| %s | %d | %.4f ± %.4f | [%.4f, %.4f] | %s |%n", l.model(), l.n(), l.mean(), l.std(),
                    l.low(), l.high(), a == null ? "—" : String.format(Locale.ROOT, "%.1f%% ± %.1f%%", 100 * a.mean(), 100 * a.std())));
        }
        s.append('\n');
        for (int i = 0; i < loss.size(); i++)
            for (int j = i + 1; j < loss.size(); j++) {
                SeedSummary a = loss.get(i), b = loss.get(j);
                s.append(a.overlaps(b)
                        ? String.format("- %s and %s: the 95%% intervals of their test loss overlap; these seeds do not tell them apart.%n", a.model(), b.model())
                        : String.format("- %s is %s than %s: the 95%% intervals of their test loss do not overlap.%n", a.model(),
                        a.mean() < b.mean() ? "better" : "worse", b.model()));
            }
        // overlap ignores that every model scored the same examples: the paired section is the stronger test
        return s.append("\nOverlapping intervals are a weak test: *Is the difference real?* below compares the models example by example.\n").toString();
    }

    /** Per-model settings, as the course's comparison asks: size, sequence length, rate, clipping, cost. */
    private String settingsTable() {
        StringBuilder s = new StringBuilder("## Settings and cost\n\n");
        // the model columns are what the families declare (Results.Run.settings), in first-seen order
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
        for (Results.Run run : r.runs()) keys.addAll(settings(run).keySet());
        s.append("| model | family | ");
        for (String k : keys) s.append(k.replace('_', ' ')).append(" | ");
        s.append("params | seq len | batch | lr | clip | init | epochs run | train s | tokens/s | peak memory | off-heap peak |\n|---|---|");
        s.append("---:|".repeat(keys.size())).append("---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
        for (Results.Run run : r.runs()) {
            var t = run.training() != null ? run.training() : r.training();
            if (t == null) {                        // results.json from an older seqlab
                s.append("| ").append(run.model()).append(" | ").append(run.family()).append(" | settings not recorded |\n");
                continue;
            }
            String seq = t.batching() == org.seqlab.core.train.TrainingConfig.Batching.EXAMPLES ? "one example" : String.valueOf(t.seqLen());
            String clip = t.clip().mode() == org.seqlab.core.ClipSpec.Mode.NONE ? "none"
                    : t.clip().mode().name().toLowerCase(Locale.ROOT) + " " + t.clip().threshold();
            Map<String, Object> c = settings(run);
            var m = run.metrics();
            var mem = run.memory();
            s.append("| ").append(run.model()).append(" | ").append(run.family()).append(" | ");
            for (String k : keys) s.append(opt(c, k)).append(" | ");
            s.append(String.format(Locale.ROOT, "%,d | %s | %d | %s | %s | %s | %d | %s | %s | %s | %s |%n",
                    run.params(), seq, t.batchSize(), t.lr(), clip, t.init().key(), run.curve().isEmpty() ? 0 : run.curve().get(run.curve().size() - 1).epoch(),
                    m == null ? "—" : String.format(Locale.ROOT, "%.1f", m.trainSeconds()),
                    m == null || m.trainTokensPerS() == null ? "—" : String.format(Locale.ROOT, "%,.0f", m.trainTokensPerS()),
                    mem == null ? "—" : org.seqlab.core.MemoryUse.gb(mem.peakRssBytes()) + processNote(mem),
                    mem == null ? "—" : org.seqlab.core.MemoryUse.gb(mem.peakOffHeapBytes()) + processNote(mem)));
        }
        s.append("\nPeak memory is the process's resident set while the model trained, was evaluated and sampled; "
                + "off-heap is the part outside the Java heap (ND4J's arrays, native libraries). A figure marked "
                + "\"process, N runs\" was measured while other runs trained in the same process (a sweep's workers, Spark tasks): "
                + "the kernel counts a process's memory, not a run's, so it is the whole process's. "
                + "Init is training.init, the scheme every family draws its starting weights from (the README's \"Initialisation and dropout\").");
        if (r.runs().stream().anyMatch(run -> settings(run).get("dropout") instanceof Number d && d.doubleValue() > 0))
            s.append(" Dropout falls on every recurrent layer's output, between stacked layers and before the output layer "
                    + "(handrolled, dl4j-lstm); in a transformer on the embedding, the attention weights and the attention and MLP outputs.");
        return s.append("\n\n").toString();
    }

    /** " (process, 3 runs)" for a figure that is the whole process's, shared with other runs; nothing for a run's own. */
    private static String processNote(Results.MemoryPeak mem) {
        return mem.shared() ? " (process, " + mem.runsInFlight() + " runs)" : "";
    }

    /** The run's declared settings; for a results.json from before families declared them, the four the table used to show. */
    private static Map<String, Object> settings(Results.Run run) {
        if (run.settings() != null) return run.settings();
        Map<String, Object> old = new LinkedHashMap<>();
        for (String k : List.of("cell", "hidden", "layers", "dropout")) old.put(k, run.config() == null ? null : run.config().get(k));
        return old;
    }

    private static String opt(Map<String, Object> config, String key) {
        Object v = config.get(key);
        return v == null ? "—" : v.toString();
    }

    private static String shown(String sample) {
        return sample.isEmpty() ? "∅" : "`" + sample.replace("`", "'").replace("\n", "⏎") + "`";
    }

    private static Double bits(Double nats) {
        return nats == null ? null : nats / Math.log(2);
    }

    private static String f4(Double v) {
        return v == null ? "—" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String f3(Double v) {
        return v == null ? "—" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String pct(Double v) {
        return v == null ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String gap(Double loss, Double opt) {
        return loss == null || opt == null ? "—" : String.format(Locale.ROOT, "+%.4f", loss - opt);
    }

    private byte[] chart(String title, String xLabel, ToDoubleFunction<EpochRecord> x) throws IOException {
        return chart(title, xLabel, x, EpochRecord::validLoss, r.dataset().frames() ? "validation NLL (nats/frame)"
                : r.dataset().values() ? "validation squared error (normalised)" : "validation loss (nats/token)", true);
    }

    private byte[] chart(String title, String xLabel, ToDoubleFunction<EpochRecord> x, ToDoubleFunction<EpochRecord> y,
                         String yLabel, boolean references) throws IOException {
        XYChart c = new XYChartBuilder().width(800).height(420).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setXAxisDecimalPattern("#,###");
        double maxX = 1;
        boolean repeated = repeated();
        for (Results.Run run : r.runs()) {
            if (run.curve().isEmpty()) continue;
            double[] xs = run.curve().stream().mapToDouble(x).toArray();
            double[] ys = run.curve().stream().mapToDouble(y).map(v -> Double.isFinite(v) ? v : Double.NaN).toArray();
            maxX = Math.max(maxX, xs[xs.length - 1]);
            c.addSeries(repeated ? run.model() + " s" + run.seed() : run.model(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
        }
        if (r.optimumLoss() != null) flat(c, "optimum", r.optimumLoss(), maxX);
        Double uni = r.baselines().values().iterator().next().testLoss();
        if (uni != null) flat(c, r.dataset().values() ? SeriesReport.bestBaseline(r).getKey() : r.baselines().keySet().iterator().next(),
                r.dataset().values() ? SeriesReport.bestBaseline(r).getValue().testLoss() : uni, maxX);
        if (c.getSeriesMap().isEmpty()) c.addSeries("no data", new double[]{0}, new double[]{0});
        return png(c);
    }

    /** A chart's PNG bytes, encoded in memory through {@link Png} (no temporary file). */
    public static byte[] png(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
        return Png.of(org.knowm.xchart.BitmapEncoder.getBufferedImage(chart));
    }

    private static void flat(XYChart c, String name, double y, double maxX) {
        XYSeries s = c.addSeries(name, new double[]{0, maxX}, new double[]{y, y});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.DASH_DASH);
    }

    /** Markdown to a self-contained HTML page: the named PNG images are inlined as data URIs. */
    public static String html(String markdown, Map<String, byte[]> images) {
        List<org.commonmark.Extension> ext = List.of(TablesExtension.create());
        String body = HtmlRenderer.builder().extensions(ext).build()
                .render(Parser.builder().extensions(ext).build().parse(markdown));
        for (var e : images.entrySet())
            body = body.replace("src=\"" + e.getKey() + "\"",
                    "src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(e.getValue()) + "\"");
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>seqlab report</title><style>"
                + "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
                + "table{border-collapse:collapse;font-size:0.9em}th,td{border:1px solid #ccc;padding:4px 8px}"
                + "th{background:#f3f3f3}tr:nth-child(even){background:#fafafa}code{background:#f3f3f3;padding:1px 3px}"
                + "img{max-width:100%}</style></head><body>\n" + body + "</body></html>\n";
    }

    private String samplesText() {
        StringBuilder s = new StringBuilder();
        for (Results.Run run : r.runs())
            for (Results.SampleSet set : run.samples()) {
                s.append("# ").append(run.model()).append(", ").append(set.label()).append('\n');
                for (String t : set.texts()) s.append(t).append('\n');
                s.append('\n');
            }
        return s.toString();
    }

}
