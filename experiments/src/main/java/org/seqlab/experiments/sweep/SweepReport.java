package org.seqlab.experiments.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.seqlab.core.AtomicFiles;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ConfigLocations;
import org.seqlab.experiments.ReportWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The sweep's report: best trial first, every trial sorted by the metric with only the parameters
 * that vary, a scatter plot per parameter, whether the best beats the runner-up, parameter
 * importance, optimisation history and parallel coordinates ({@link SweepInsights}), and the best
 * configuration as a runnable YAML.
 */
public final class SweepReport {
    private final ConfigLoader.Loaded loaded;
    private final SweepConfig sweep;
    private final List<TrialLog.Trial> trials;
    private final int planned;
    /** Where the trials ran and what each got (workers, BLAS threads, memory limit). */
    private final String where;

    SweepReport(ConfigLoader.Loaded loaded, SweepConfig sweep, List<TrialLog.Trial> trials, int planned, String where) {
        this.where = where;
        this.loaded = loaded;
        this.sweep = sweep;
        this.trials = trials;
        this.planned = planned;
    }

    void write(Path out) throws IOException {
        List<TrialLog.Trial> sorted = new ArrayList<>(trials);
        sorted.sort(Comparator.comparing((TrialLog.Trial t) -> t.metric() == null ? Double.POSITIVE_INFINITY : t.metric())
                .thenComparingInt(TrialLog.Trial::trial));
        List<String> varying = new ArrayList<>();
        for (String p : sweep.parameters().keySet()) {
            Set<String> values = new LinkedHashSet<>();
            for (TrialLog.Trial t : trials) values.add(String.valueOf(t.params().get(p)));
            if (values.size() > 1) varying.add(p);
        }
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (String p : varying) {
            byte[] png = scatter(p);
            if (png != null) images.put("scatter-" + p.replaceAll("[^A-Za-z0-9]+", "_") + ".png", png);
        }
        String metric = sweep.metric().name().toLowerCase(Locale.ROOT);
        StringBuilder s = new StringBuilder("# Sweep: " + loaded.config().name() + "\n\n");
        long finished = trials.size(), ok = trials.stream().filter(t -> "ok".equals(t.status())).count();
        s.append(String.format(Locale.ROOT, "%s search over %d parameter(s), %d of %d planned trials finished (%d ok), minimising %s of `%s`.%n%n",
                sweep.generator().name().toLowerCase(Locale.ROOT), sweep.parameters().size(), finished, planned, ok, metric,
                loaded.config().models().get(0).name()));
        s.append("Trials ran on ").append(where).append(".\n\n");
        TrialLog.Trial best = best(trials);
        if (best != null) {
            s.append(String.format(Locale.ROOT, "## Best: trial %d, %s %.4f%n%n", best.trial(), metric, best.metric()));
            for (Map.Entry<String, Object> e : best.params().entrySet()) s.append("- `").append(e.getKey()).append("` = ").append(format(e.getValue())).append('\n');
            s.append("\nRun it again: `./seqlab run ").append(out.resolve("best.yaml")).append("` (its own report: `").append(best.out()).append("/report.html`).\n\n");
            writeBestYaml(out, best);
        }
        s.append("## All trials\n\n| trial | status | ").append(metric).append(" | ");
        for (String p : varying) s.append('`').append(p).append("` | ");
        s.append("test loss | output | seconds | note |\n|---:|---|---:|");
        for (int i = 0; i < varying.size(); i++) s.append("---|");
        s.append("---:|---:|---:|---|\n");
        for (TrialLog.Trial t : sorted) {
            s.append("| ").append(t.trial()).append(" | ").append(t.status()).append(" | ")
                    .append(t.metric() == null ? "—" : String.format(Locale.ROOT, "%.4f", t.metric())).append(" | ");
            for (String p : varying) s.append(format(t.params().get(p))).append(" | ");
            Object test = t.metrics().get("test_loss");
            s.append(test == null ? "—" : String.format(Locale.ROOT, "%.4f", ((Number) test).doubleValue())).append(" | ");
            s.append(t.out() == null ? "—" : "`" + t.out() + "`").append(" | ").append(t.seconds() == null ? "—" : String.format(Locale.ROOT, "%.0f", t.seconds())).append(" | ");
            s.append(t.error() == null ? "" : t.error().replace("|", "/")).append(" |\n");
        }
        if (!images.isEmpty()) {
            s.append("\n## Parameters against ").append(metric).append("\n\n");
            for (String img : images.keySet()) s.append("![").append(img).append("](").append(img).append(")\n\n");
        }
        SweepInsights insights = new SweepInsights(sweep, trials, varying);     // best vs runner-up, importance, history, parallel coordinates
        s.append(insights.markdown(out));
        images.putAll(insights.images());
        for (var e : images.entrySet()) AtomicFiles.writeBytes(out.resolve(e.getKey()), e.getValue());
        AtomicFiles.writeString(out.resolve("sweep.md"), s.toString());
        AtomicFiles.writeString(out.resolve("sweep.html"), ReportWriter.html(s.toString(), images));
    }

    private static String format(Object v) {
        return v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : String.valueOf(v);
    }

    /** The parameter's values against the metric, or null when no trial has a metric. */
    private byte[] scatter(String param) throws IOException {
        XYChart c = new XYChartBuilder().width(520).height(360).title(param).xAxisTitle(param)
                .yAxisTitle(sweep.metric().name().toLowerCase(Locale.ROOT)).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        List<Object> categories = new ArrayList<>();
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (TrialLog.Trial t : trials) {
            if (t.metric() == null) continue;
            Object v = t.params().get(param);
            double x;
            if (v instanceof Number n) x = n.doubleValue();
            else {
                if (!categories.contains(v)) categories.add(v);
                x = categories.indexOf(v);
            }
            xs.add(x);
            ys.add(t.metric());
        }
        // no trial with a metric: nothing to plot (a placeholder point would break a logarithmic axis)
        if (xs.isEmpty()) return null;
        ParamSpec spec = sweep.parameters().get(param);
        if (spec != null && Boolean.TRUE.equals(spec.log())) c.getStyler().setXAxisLogarithmic(true);
        c.addSeries(param, xs.stream().mapToDouble(Double::doubleValue).toArray(), ys.stream().mapToDouble(Double::doubleValue).toArray());
        if (!categories.isEmpty()) c.setCustomXAxisTickLabelsFormatter(x -> {
            int i = (int) Math.round(x);
            return i >= 0 && i < categories.size() && Math.abs(x - i) < 1e-9 ? String.valueOf(categories.get(i)) : "";
        });
        return org.seqlab.experiments.ReportWriter.png(c);
    }

    /**
     * The trial with the lowest metric among those that finished without failing or diverging (a
     * diverged trial's metric comes from before it blew up; its settings are not a recommendation),
     * or null when there is none.
     */
    public static TrialLog.Trial best(List<TrialLog.Trial> trials) {
        return trials.stream()
                .filter(t -> t.metric() != null && org.seqlab.core.Results.usable(t.status()))
                .min(Comparator.comparingDouble(TrialLog.Trial::metric).thenComparingInt(TrialLog.Trial::trial))
                .orElse(null);
    }

    /** The experiment with the best trial's values and no sweep section: runnable with seqlab run. */
    private void writeBestYaml(Path out, TrialLog.Trial best) throws IOException {
        ObjectNode tree = loaded.tree().deepCopy();
        ConfigLocations where = loaded.locations().copy();
        for (Map.Entry<String, Object> e : best.params().entrySet())
            ConfigLoader.set(tree, e.getKey(), ConfigLoader.MAPPER.valueToTree(e.getValue()), "best", where);
        tree.remove("sweep");
        tree.set("name", TextNode.valueOf(loaded.config().name() + "-best"));
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
        String header = String.format(Locale.ROOT, "# Best configuration of sweep %s: trial %d, %s %.4f.%n# Written by seqlab sweep; run it with ./seqlab run%n",
                loaded.config().name(), best.trial(), sweep.metric().name().toLowerCase(Locale.ROOT), best.metric());
        AtomicFiles.writeString(out.resolve("best.yaml"), header + yaml.writeValueAsString(tree));
    }
}
