package org.seqlab.experiments.sweep;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.seqlab.core.TestLosses;
import org.seqlab.experiments.ReportWriter;
import org.seqlab.experiments.compare.DifferenceSection;
import org.seqlab.experiments.compare.PairedStats;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a sweep's user asks after the table: is the best trial really better than the runner-up,
 * how much each parameter matters, and the two pictures Optuna's users expect (optimisation
 * history, parallel coordinates). Read from the trials and the per-example test losses each
 * trial's directory keeps.
 *
 * <p>Importance is a first-order variance decomposition, the main-effect part of fANOVA (Hutter et
 * al. 2014) estimated on the trials themselves instead of a fitted forest: each parameter's values
 * are grouped (categories as they are; numbers into up to four quantile bins), and its importance
 * is the share of the metric's variance between the groups (the correlation ratio η²). With few
 * trials it is rough, and parameters that only matter together get no credit; the report says so.
 */
final class SweepInsights {
    static final String HISTORY = "sweep-history.png", PARALLEL = "sweep-parallel.png";

    private final SweepConfig sweep;
    private final List<TrialLog.Trial> trials;
    private final List<String> varying;
    private final String metric;

    SweepInsights(SweepConfig sweep, List<TrialLog.Trial> trials, List<String> varying) {
        this.sweep = sweep;
        this.trials = trials;
        this.varying = varying;
        this.metric = sweep.metric().name().toLowerCase(Locale.ROOT);
    }

    /** The finished, usable trials with a metric, best first. */
    List<TrialLog.Trial> ranked() {
        return trials.stream().filter(t -> t.metric() != null && org.seqlab.core.Results.usable(t.status()))
                .sorted(Comparator.comparingDouble(TrialLog.Trial::metric).thenComparingInt(TrialLog.Trial::trial)).toList();
    }

    String markdown(Path out) {
        StringBuilder s = new StringBuilder("\n## Is the best trial really better?\n\n").append(bestAgainstRunnerUp(out)).append("\n\n");
        Map<String, Double> importance = importance();
        if (!importance.isEmpty()) {
            s.append("## Parameter importance\n\nShare of the variance of ").append(metric).append(" between the groups of each parameter's values "
                    + "(first-order variance decomposition, fANOVA's main effects, on the trials themselves: categories as they are, numbers in up to "
                    + "four quantile bins). Rough with few trials; parameters that matter only together get no credit.\n\n| parameter | importance |\n|---|---:|\n");
            importance.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> s.append(String.format(Locale.ROOT, "| `%s` | %.2f |%n", e.getKey(), e.getValue())));
            s.append('\n');
        }
        s.append("## Optimisation history\n\n![optimisation history](").append(HISTORY).append(")\n\n");
        if (!varying.isEmpty()) s.append("## Parallel coordinates\n\nEach line is a trial, from blue (best ").append(metric)
                .append(") to red (worst); every axis is scaled to its parameter's range.\n\n![parallel coordinates](").append(PARALLEL).append(")\n\n");
        return s.toString();
    }

    Map<String, byte[]> images() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put(HISTORY, history());
        if (!varying.isEmpty()) out.put(PARALLEL, parallel());
        return out;
    }

    /** The paired comparison of the best and the runner-up on their per-example test losses. */
    String bestAgainstRunnerUp(Path out) {
        List<TrialLog.Trial> r = ranked();
        if (r.size() < 2) return "Fewer than two usable trials: nothing to compare.";
        TrialLog.Trial best = r.get(0), second = r.get(1);
        try {
            List<TestLosses> a = runs(out, best), b = runs(out, second);
            if (a.isEmpty() || b.isEmpty()) return "The best trials kept no per-example test losses: no paired comparison.";
            if (!a.get(0).header().splitIdentity().equals(b.get(0).header().splitIdentity()))
                return "The best two trials scored different test splits: they cannot be paired.";
            long[] count = a.get(0).count();
            PairedStats.Difference d = a.size() == 1 && b.size() == 1
                    ? PairedStats.examples(a.get(0).loss(), b.get(0).loss(), count)
                    : PairedStats.seedsAndExamples(a.stream().map(TestLosses::loss).toArray(double[][]::new),
                    b.stream().map(TestLosses::loss).toArray(double[][]::new), count);
            String unit = switch (a.get(0).header().unit()) {
                case "frame" -> "nats/frame";
                case "value" -> "squared error per value";
                default -> "nats/token";
            };
            String sentence = DifferenceSection.sentence("trial " + best.trial(), "trial " + second.trial(), d, null, d.p(), unit,
                    "chunk".equals(a.get(0).header().example()) ? "test chunks" : "test sequences");
            return "The trials are ranked by " + metric + "; this compares the best two on their test examples, pair by pair "
                    + "(one comparison, so no correction): " + sentence
                    + (d.p() < 0.05 ? "" : " The ranking between them may be luck: either setting will do.");
        } catch (IOException e) {
            return "Per-example test losses unreadable (" + e.getMessage() + "): no paired comparison.";
        }
    }

    private static List<TestLosses> runs(Path out, TrialLog.Trial t) throws IOException {
        if (t.out() == null) return List.of();
        return TestLosses.readAll(out.resolve(t.out())).stream().filter(f -> !f.header().reference()).toList();
    }

    /** Each varying parameter's share of the metric's variance between its value groups (η²). */
    Map<String, Double> importance() {
        List<TrialLog.Trial> r = ranked();
        Map<String, Double> out = new LinkedHashMap<>();
        if (r.size() < 3) return out;
        double mean = r.stream().mapToDouble(TrialLog.Trial::metric).average().orElseThrow();
        double total = r.stream().mapToDouble(t -> (t.metric() - mean) * (t.metric() - mean)).sum();
        if (total <= 0) return out;
        for (String p : varying) {
            Map<String, List<Double>> groups = new LinkedHashMap<>();
            List<Double> numbers = r.stream().map(t -> t.params().get(p)).filter(v -> v instanceof Number)
                    .map(v -> ((Number) v).doubleValue()).sorted().toList();
            boolean numeric = numbers.size() == r.size() && numbers.stream().distinct().count() > 4;
            for (TrialLog.Trial t : r) {
                Object v = t.params().get(p);
                String key = numeric ? String.valueOf(bin(((Number) v).doubleValue(), numbers)) : String.valueOf(v);
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t.metric());
            }
            double between = 0;
            for (List<Double> g : groups.values()) {
                double m = g.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                between += g.size() * (m - mean) * (m - mean);
            }
            out.put(p, between / total);
        }
        return out;
    }

    /** Which of four quantile bins of {@code sorted} holds {@code v}. */
    private static int bin(double v, List<Double> sorted) {
        int below = 0;
        for (double x : sorted) if (x < v) below++;
        return Math.min(3, 4 * below / sorted.size());
    }

    /** Each trial's metric in trial order, and the best so far. */
    private byte[] history() {
        XYChart c = new XYChartBuilder().width(800).height(380).title("Optimisation history").xAxisTitle("trial").yAxisTitle(metric).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        List<TrialLog.Trial> done = trials.stream().filter(t -> t.metric() != null).sorted(Comparator.comparingInt(TrialLog.Trial::trial)).toList();
        double[] x = new double[Math.max(1, done.size())], y = new double[x.length], best = new double[x.length];
        double sofar = Double.POSITIVE_INFINITY;
        for (int i = 0; i < done.size(); i++) {
            x[i] = done.get(i).trial();
            y[i] = done.get(i).metric();
            if (org.seqlab.core.Results.usable(done.get(i).status())) sofar = Math.min(sofar, y[i]);
            best[i] = Double.isInfinite(sofar) ? Double.NaN : sofar;
        }
        XYSeries trialsSeries = c.addSeries("trial", x, y);
        trialsSeries.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        XYSeries bestSeries = c.addSeries("best so far", x, best);
        bestSeries.setMarker(SeriesMarkers.NONE);
        bestSeries.setLineStyle(SeriesLines.SOLID);
        return ReportWriter.png(c);
    }

    /** One line per trial across the varying parameters and the metric, each axis scaled to 0..1, coloured by rank. */
    private byte[] parallel() {
        List<String> axes = new ArrayList<>(varying);
        axes.add(metric);
        XYChart c = new XYChartBuilder().width(900).height(420).title("Parallel coordinates (blue: best " + metric + ", red: worst)")
                .xAxisTitle("").yAxisTitle("scaled to each axis's range").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setLegendVisible(false);
        List<TrialLog.Trial> r = ranked();
        double[] xs = new double[axes.size()];
        for (int i = 0; i < xs.length; i++) xs[i] = i;
        Map<String, List<Object>> categories = new LinkedHashMap<>();
        for (int k = 0; k < r.size(); k++) {
            TrialLog.Trial t = r.get(k);
            double[] ys = new double[axes.size()];
            for (int i = 0; i < axes.size(); i++) ys[i] = scaled(axes.get(i), i == axes.size() - 1 ? t.metric() : t.params().get(axes.get(i)), r, categories);
            XYSeries line = c.addSeries("trial " + t.trial(), xs, ys);
            float f = r.size() == 1 ? 0 : (float) k / (r.size() - 1);
            line.setLineColor(new Color(f, 0.25f, 1 - f));
            line.setMarker(SeriesMarkers.NONE);
        }
        if (r.isEmpty()) c.addSeries("no trials", new double[]{0}, new double[]{0});
        c.setCustomXAxisTickLabelsFormatter(x -> {
            int i = (int) Math.round(x);
            return i >= 0 && i < axes.size() && Math.abs(x - i) < 1e-9 ? axes.get(i) : "";
        });
        return ReportWriter.png(c);
    }

    /** A value's place on its axis: numbers (logarithmic for a log parameter) between the trials' extremes, categories evenly spaced. */
    private double scaled(String axis, Object v, List<TrialLog.Trial> r, Map<String, List<Object>> categories) {
        boolean isMetric = axis.equals(metric) && !varying.contains(axis);
        boolean log = !isMetric && sweep.parameters().get(axis) != null && Boolean.TRUE.equals(sweep.parameters().get(axis).log());
        if (v instanceof Number n) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (TrialLog.Trial t : r) {
                Object o = isMetric ? t.metric() : t.params().get(axis);
                if (o instanceof Number m) {
                    double x = log ? Math.log(m.doubleValue()) : m.doubleValue();
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
            double x = log ? Math.log(n.doubleValue()) : n.doubleValue();
            return hi > lo ? (x - lo) / (hi - lo) : 0.5;
        }
        List<Object> seen = categories.computeIfAbsent(axis, a -> {
            List<Object> l = new ArrayList<>();
            for (TrialLog.Trial t : r) if (!l.contains(String.valueOf(t.params().get(a)))) l.add(String.valueOf(t.params().get(a)));
            return l;
        });
        int i = seen.indexOf(String.valueOf(v));
        return seen.size() <= 1 ? 0.5 : (double) i / (seen.size() - 1);
    }
}
