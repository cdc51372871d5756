package org.seqlab.experiments;

import org.seqlab.core.FileNames;
import org.seqlab.core.Results;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Map.Entry;

/**
 * The time-series part of a report: the metrics table (optimum, naive baselines and models, in
 * original units, each model marked by whether it beats the best naive forecast), the
 * prediction-vs-truth plots of the test span and a residual plot per model.
 */
final class SeriesReport {
    private final Results r;
    private final Results.SeriesSummary s;

    SeriesReport(Results results) {
        this.r = results;
        this.s = results.dataset().series();
    }

    /** The naive forecast with the lowest test MSE. */
    static Entry<String, Results.Baseline> bestBaseline(Results r) {
        return r.baselines().entrySet().stream().filter(e -> e.getValue().testMse() != null)
                .min(Map.Entry.comparingByValue(java.util.Comparator.comparingDouble(Results.Baseline::testMse))).orElseThrow();
    }

    /** "beats seasonal naive (12): MSE -41%" or "does not beat seasonal naive (12)". */
    static String verdict(Results r, Results.Run run) {
        if (run.forecast() == null || run.forecast().testMse() == null) return "—";
        Entry<String, Results.Baseline> best = bestBaseline(r);
        double mse = run.forecast().testMse(), ref = best.getValue().testMse();
        return mse < ref ? String.format(Locale.ROOT, "beats %s (MSE %+.0f%%)", best.getKey(), 100 * (mse / ref - 1))
                : "**does not beat " + best.getKey() + "**";
    }

    /** The images this section draws, by file name. */
    Map<String, byte[]> images() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("forecast-test.png", forecastChart(false));
        if (r.runs().stream().anyMatch(run -> run.forecast() != null && run.forecast().recursive() != null))
            out.put("forecast-recursive.png", forecastChart(true));
        for (Results.Run run : r.runs())
            if (run.forecast() != null) out.put(residualFile(run), residualChart(run));
        return out;
    }

    private String label(Results.Run run) {
        return r.runs().stream().map(Results.Run::model).distinct().count() < r.runs().size()
                ? run.model() + " (seed " + run.seed() + ")" : run.model();
    }

    private String residualFile(Results.Run run) {
        return "residuals-" + FileNames.of(label(run)) + ".png";
    }

    String markdown() {
        StringBuilder m = new StringBuilder("## Results\n\n");
        int h = s.horizon();
        m.append(String.format(Locale.ROOT, "Each model predicts %s from the %d values up to its forecast origin (a sliding window); "
                        + "errors are in original units on the %d test targets%s, from each model's best validation checkpoint. "
                        + "The naive forecasts use the same targets and only values known at each origin. "
                        + "MAPE leaves out targets equal to 0%s.%n%n",
                h == 1 ? "the next value" : "the value " + h + " steps ahead (direct " + h + "-step-ahead)", s.window(),
                s.testTruth().length, s.columns().size() > 1 ? " of " + s.columns().size() + " series " + s.columns() + " (averaged)" : "",
                skippedNote()));
        boolean recursive = r.runs().stream().anyMatch(run -> run.forecast() != null && run.forecast().recursiveMse() != null);
        m.append("| model | family | params | test MSE | test MAE | test MAPE | vs the best naive forecast |"
                + (recursive ? " recursive MSE |" : "") + " valid loss | train s | status |\n");
        m.append("|---|---|---:|---:|---:|---:|---|" + (recursive ? "---:|" : "") + "---:|---:|---|\n");
        String blank = recursive ? " — |" : "";
        if (s.optimumMse() != null)
            m.append(String.format(Locale.ROOT, "| **optimum** (noise variance) | — | — | %s | %s | — | — |%s — | — | |%n",
                    g4(s.optimumMse()), g4(Math.sqrt(s.optimumMse() * 2 / Math.PI)), blank));
        String best = bestBaseline(r).getKey();
        for (var e : r.baselines().entrySet()) {
            Results.Baseline b = e.getValue();
            m.append(String.format(Locale.ROOT, "| %s baseline | naive | 0 | %s | %s | %s | %s |%s — | — | |%n", e.getKey(),
                    g4(b.testMse()), g4(b.testMae()), pct(b.testMape()), e.getKey().equals(best) ? "best naive" : "", blank));
        }
        for (Results.Run run : r.runs()) {
            Results.Forecast f = run.forecast();
            String status = run.status() + (run.message() != null ? ": " + run.message().replace("|", "/") : "");
            if (f == null) {
                m.append(String.format(Locale.ROOT, "| %s | %s | %,d | — | — | — | — |%s — | — | %s |%n",
                        label(run), run.family(), run.params(), blank, status));
                continue;
            }
            m.append(String.format(Locale.ROOT, "| **%s** | %s | %,d | %s | %s | %s | %s |%s %s | %.1f | %s |%n", label(run), run.family(),
                    run.params(), g4(f.testMse()), g4(f.testMae()), pct(f.testMape()), verdict(r, run),
                    recursive ? " " + g4(f.recursiveMse()) + " |" : "", f4(run.metrics().validLoss()), run.metrics().trainSeconds(), status));
        }
        if (recursive)
            m.append("\n*Recursive MSE*: the whole test span forecast from its start, each prediction fed back as the next input "
                    + "(errors compound; the direct predictions above always see the true past).\n");
        m.append(String.format(Locale.ROOT, "%nValues are normalised (%s, fitted on the training span only) for training; "
                + "*valid loss* is the squared error of normalised values%s per predicted step.%n%n",
                s.normalize(), s.columns().size() > 1 ? " summed over series" : ""));
        m.append("## Forecasts on the test span\n\n");
        String span = s.testDates() != null && !s.testDates().isEmpty()
                ? " (" + s.testDates().get(0) + " to " + s.testDates().get(s.testDates().size() - 1) + ")" : "";
        m.append("Truth and each model's direct predictions for the ").append(s.testTruth().length).append(" test targets")
                .append(span).append(s.columns().size() > 1 ? ", series " + s.columns().get(0) : "")
                .append(", with the best naive forecast dashed.\n\n![forecasts on the test span](forecast-test.png)\n\n");
        if (recursive)
            m.append("Recursive forecasts from the start of the test span (predictions fed back):\n\n"
                    + "![recursive forecasts](forecast-recursive.png)\n\n");
        m.append("Residuals (prediction − truth) of each model on the test span:\n\n");
        for (Results.Run run : r.runs())
            if (run.forecast() != null) m.append("![").append(label(run)).append(" residuals](").append(residualFile(run)).append(")\n\n");
        if (s.notes() != null && !s.notes().isEmpty()) {
            m.append("Reading the data: ");
            m.append(String.join("; ", s.notes())).append(".\n\n");
        }
        return m.toString();
    }

    private String skippedNote() {
        long skipped = r.runs().stream().filter(run -> run.forecast() != null).mapToLong(run -> run.forecast().mapeSkipped()).max().orElse(0);
        return skipped == 0 ? " (there are none here)" : " (" + skipped + " here)";
    }

    private double[] steps(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = s.testStart() + i;
        return x;
    }

    private static double[] first(double[][] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i][0];
        return out;
    }

    private XYChart chart(String title, String yLabel) {
        XYChart c = new XYChartBuilder().width(900).height(420).title(title).xAxisTitle("time step of the series")
                .yAxisTitle(yLabel).build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setXAxisDecimalPattern("#,###");
        return c;
    }

    private byte[] forecastChart(boolean recursive) throws IOException {
        String column = s.columns().get(0);
        XYChart c = chart((recursive ? "Recursive forecasts" : "Predictions") + " vs truth on the test span", column);
        double[] x = steps(s.testTruth().length);
        XYSeries truth = c.addSeries("truth", x, first(s.testTruth()));
        truth.setMarker(SeriesMarkers.NONE);
        truth.setLineColor(java.awt.Color.BLACK);
        truth.setLineWidth(2f);
        if (!recursive) {
            Entry<String, Results.Baseline> best = bestBaseline(r);
            XYSeries b = c.addSeries(best.getKey(), x, first(best.getValue().predictions()));
            b.setMarker(SeriesMarkers.NONE);
            b.setLineStyle(SeriesLines.DASH_DASH);
        }
        for (Results.Run run : r.runs()) {
            if (run.forecast() == null) continue;
            double[][] p = recursive ? run.forecast().recursive() : run.forecast().predictions();
            if (p == null) continue;
            c.addSeries(label(run), x, first(p)).setMarker(SeriesMarkers.NONE);
        }
        return ReportWriter.png(c);
    }

    private byte[] residualChart(Results.Run run) throws IOException {
        XYChart c = chart(label(run) + ": residuals on the test span (MSE " + g4(run.forecast().testMse()) + ")",
                "prediction − truth (" + s.columns().get(0) + ")");
        double[] x = steps(s.testTruth().length);
        double[] res = new double[x.length];
        double[][] p = run.forecast().predictions();
        for (int i = 0; i < res.length; i++) res[i] = p[i][0] - s.testTruth()[i][0];
        XYSeries zero = c.addSeries("0", new double[]{x[0], x[x.length - 1]}, new double[]{0, 0});
        zero.setMarker(SeriesMarkers.NONE);
        zero.setLineColor(java.awt.Color.GRAY);
        XYSeries dots = c.addSeries("residual", x, res);
        dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        dots.setMarker(SeriesMarkers.CIRCLE);
        return ReportWriter.png(c);
    }

    /** Four significant digits: series come in every scale. */
    static String g4(Double v) {
        if (v == null) return "—";
        double a = Math.abs(v);
        return a != 0 && (a >= 1e5 || a < 1e-3) ? String.format(Locale.ROOT, "%.3e", v)
                : String.format(Locale.ROOT, "%." + Math.max(0, 3 - (int) Math.floor(Math.log10(Math.max(a, 1e-3)))) + "f", v);
    }

    private static String f4(Double v) {
        return v == null ? "—" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String pct(Double v) {
        return v == null ? "—" : String.format(Locale.ROOT, "%.2f%%", v);
    }

    /** The experiment's models in one place for the CLI summary. */
    static List<String> summaryLines(Results r) {
        List<String> out = new java.util.ArrayList<>();
        var s = r.dataset().series();
        if (s.optimumMse() != null) out.add(String.format(Locale.ROOT, "%-26s MSE %s", "optimum (noise variance)", g4(s.optimumMse())));
        for (var e : r.baselines().entrySet())
            out.add(String.format(Locale.ROOT, "%-26s MSE %s, MAE %s, MAPE %s", e.getKey(), g4(e.getValue().testMse()),
                    g4(e.getValue().testMae()), pct(e.getValue().testMape())));
        boolean repeated = r.runs().stream().map(Results.Run::model).distinct().count() < r.runs().size();
        for (Results.Run run : r.runs()) {
            String label = run.model() + (repeated ? " s" + run.seed() : "");
            Results.Forecast f = run.forecast();
            out.add(f == null ? String.format("%-26s %s", label, run.status())
                    : String.format(Locale.ROOT, "%-26s MSE %s, MAE %s, MAPE %s: %s%s", label, g4(f.testMse()), g4(f.testMae()),
                    pct(f.testMape()), verdict(r, run).replace("**", ""), run.status().equals("ok") ? "" : " (" + run.status() + ")"));
        }
        return out;
    }
}
