package org.seqlab.experiments.compare;

import org.seqlab.core.Png;
import org.seqlab.core.Results;
import org.seqlab.core.TestLosses;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's "Is the difference real?" section: the pairwise matrix of differences with their
 * 95% intervals coloured by significance, the groups that cannot be told apart (a
 * critical-difference style picture), and one plain sentence per pair. It reads only the files
 * beside results.json ({@code test-losses/}), so {@code seqlab report} rebuilds it.
 */
public final class DifferenceSection {
    public static final String PICTURE = "differences.png";
    static final String BETTER = "#c8e6c9", WORSE = "#ffcdd2", SAME = "#eeeeee";

    private final PairedComparison comparison;
    private final String unit;
    private final String examples;
    private final List<String> notes;

    DifferenceSection(PairedComparison comparison, String unit, String examples, List<String> notes) {
        this.comparison = comparison;
        this.unit = unit;
        this.examples = examples;
        this.notes = notes;
    }

    /**
     * The section for the results in {@code dir}: the runs of {@code r} whose test-loss file is
     * there and agrees with results.json (the same test loss: a stale file of an earlier
     * configuration is left out), and the reference models of the same data.
     */
    public static DifferenceSection read(Path dir, Results r) {
        List<String> notes = new ArrayList<>();
        List<TestLosses> all;
        try {
            all = TestLosses.readAll(dir);
        } catch (IOException e) {
            notes.add("Per-example test losses unreadable (" + e.getMessage() + "): no paired comparison.");
            all = List.of();
        }
        List<TestLosses> kept = new ArrayList<>();
        for (TestLosses f : all) {
            var h = f.header();
            if (!String.valueOf(r.dataset().sha256()).equals(h.datasetSha256())) continue;
            if (h.reference()) {
                kept.add(f);
                continue;
            }
            boolean matches = r.runs().stream().anyMatch(run -> run.model().equals(h.model()) && h.seed() != null && run.seed() == h.seed()
                    && run.metrics() != null && run.metrics().testLoss() != null
                    && Math.abs(run.metrics().testLoss() - f.meanLoss()) <= 1e-6 * Math.max(1, Math.abs(f.meanLoss())));
            if (matches) kept.add(f);
        }
        for (Results.Run run : r.runs())
            if (run.metrics() != null && kept.stream().noneMatch(f -> f.header().model().equals(run.model()) && !f.header().reference()
                    && f.header().seed() != null && f.header().seed() == run.seed()))
                notes.add(run.model() + " (seed " + run.seed() + "): no per-example test losses (a run from before seqlab kept them): left out.");
        String example = kept.isEmpty() ? "sequence" : kept.get(0).header().example();
        return new DifferenceSection(PairedComparison.of(kept), unitOf(r.dataset()), "chunk".equals(example) ? "test chunks" : "test sequences", notes);
    }

    /** The loss unit in words: nats/char, nats/word, nats/token, nats/frame, or squared error per value. */
    public static String unitOf(Results.DatasetSummary d) {
        if (d.frames()) return "nats/frame";
        if (d.values()) return "squared error per value";
        if (d.tokenizer() != null && d.tokenizer().startsWith("char")) return "nats/char";
        if (d.tokenizer() != null && d.tokenizer().startsWith("word")) return "nats/word";
        return "nats/token";
    }

    public PairedComparison comparison() {
        return comparison;
    }

    /** The section's markdown (empty when fewer than two models have per-example losses). */
    public String markdown() {
        List<PairedComparison.Entry> e = comparison.entries();
        StringBuilder s = new StringBuilder("\n## Is the difference real?\n\n");
        if (e.isEmpty())
            return s.append("No per-example test losses beside results.json (runs from before seqlab kept them, or a report of several "
                    + "directories: `seqlab compare DIR_A DIR_B` pairs two of them).\n\n").toString();
        if (e.size() < 2) {
            s.append("Fewer than two models with per-example test losses: nothing to compare.\n\n");
            for (String n : notes) s.append("- ").append(n).append('\n');
            return s.append('\n').toString();
        }
        PairedStats.Difference any = comparison.pairs().get(0).difference();
        boolean seeds = e.stream().anyMatch(x -> x.runs().size() > 1);
        s.append(String.format(Locale.ROOT, "Every model is scored on the same %,d %s (%,d predictions), so each pair is compared example by example. "
                        + "A cell is the row's loss minus the column's in %s (negative: the row is better), with its 95%% interval; "
                        + "green: the row is significantly better, red: significantly worse, grey: these data cannot tell them apart "
                        + "(Holm-corrected p < %.2f over all %d pairs; the intervals are each pair's own, uncorrected, so one may "
                        + "exclude zero while the corrected p is above the level).%n%n", any.examples(), examples, any.predictions(), unit,
                PairedComparison.LEVEL, comparison.pairs().size()));
        if (seeds)
            s.append(String.format(Locale.ROOT, "With several seeds, the intervals resample seeds and test examples together (a two-level bootstrap, %,d draws, "
                    + "resampling seed %d) and p permutes seed labels: they answer *are these two configurations different?*, "
                    + "seed-to-seed variation counted. The sentences add the interval over examples alone of the seed-averaged losses: "
                    + "*are these trained models different on data like this test set?*%n%n", any.resamples(), any.resamplingSeed()));
        else
            s.append(String.format(Locale.ROOT, "The intervals come from a paired bootstrap over test examples (%,d draws, resampling seed %d) and p from "
                    + "a paired sign-flip permutation test: they answer *are these two trained models different on data like this test set?* "
                    + "With one seed each they say nothing about retraining with another seed; run several seeds (`seeds:`) to ask "
                    + "whether the configurations differ.%n%n", any.resamples(), any.resamplingSeed()));
        s.append("| row − column |");
        for (PairedComparison.Entry x : e) s.append(' ').append(label(x)).append(" |");
        s.append("\n|---|").append("---:|".repeat(e.size())).append('\n');
        for (int i = 0; i < e.size(); i++) {
            s.append("| **").append(label(e.get(i))).append("** (").append(f4(e.get(i).meanLoss())).append(") |");
            for (int j = 0; j < e.size(); j++) {
                if (i == j) { s.append(" — |"); continue; }
                PairedComparison.Pair p = comparison.pair(i, j);
                PairedStats.Difference d = i < j ? p.difference() : p.difference().flipped();
                String colour = !p.significant() ? SAME : d.mean() < 0 ? BETTER : WORSE;
                s.append(String.format(Locale.ROOT, " <span style=\"background:%s;padding:2px 4px\">%+.4f [%+.4f, %+.4f]</span> |",
                        colour, d.mean(), d.low(), d.high()));
            }
            s.append('\n');
        }
        s.append("\n**Groups that cannot be told apart** (by mean test loss, best first): ");
        List<String> groups = new ArrayList<>();
        for (List<Integer> g : comparison.groups()) groups.add("{" + String.join(", ", g.stream().map(i -> label(e.get(i))).toList()) + "}");
        s.append(String.join(" · ", groups)).append(".\n\n![groups that cannot be told apart](").append(PICTURE).append(")\n\n");
        for (PairedComparison.Pair p : comparison.pairs()) s.append("- ").append(sentence(p)).append('\n');
        for (String n : notes) s.append("- ").append(n).append('\n');
        for (String n : comparison.left()) s.append("- ").append(n).append('\n');
        return s.append('\n').toString();
    }

    /** "lstm beats rnn by 0.0210 nats/char (95% CI 0.0120–0.0300, p = 0.002 over 1,542 test sequences)." */
    String sentence(PairedComparison.Pair p) {
        PairedComparison.Entry a = comparison.entries().get(p.a()), b = comparison.entries().get(p.b());
        return sentence(spoken(a), spoken(b), p.difference(), p.models(), p.holmP(), unit, examples);
    }

    /**
     * One plain sentence for a pair, the better named first.
     *
     * @param d      a − b
     * @param models several seeds: a − b of the seed-averaged losses over examples alone, else null
     * @param p      the p-value shown (Holm-corrected)
     */
    public static String sentence(String a, String b, PairedStats.Difference d, PairedStats.Difference models, double p,
                                  String unit, String examples) {
        if (d.mean() > 0) return sentence(b, a, d.flipped(), models == null ? null : models.flipped(), p, unit, examples);
        String ci = String.format(Locale.ROOT, "95%% CI %s, %s over %,d %s", range(-d.high(), -d.low()), pText(p), d.examples(), examples);
        String trained = models == null ? "" : String.format(Locale.ROOT, "; as trained models (seed-averaged, examples alone): 95%% CI %s",
                range(-models.high(), -models.low()));
        String what = d.level() == PairedStats.Level.SEEDS_AND_EXAMPLES ? " as configurations" : "";
        if (p < PairedComparison.LEVEL)
            return String.format(Locale.ROOT, "%s beats %s%s by %s %s (%s%s).", capital(a), b, what, f4(-d.mean()), unit, ci, trained);
        return String.format(Locale.ROOT, "%s and %s cannot be told apart%s: %s is lower by %s %s (%s%s).", capital(a), b, what,
                a, f4(-d.mean()), unit, ci, trained);
    }

    /** The section's picture, by file name (none when there is nothing to compare). */
    public Map<String, byte[]> images() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (comparison.entries().size() >= 2) out.put(PICTURE, picture());
        return out;
    }

    /**
     * Critical-difference style: the models in order of mean test loss (best on the left, evenly
     * spaced, as a CD diagram places ranks: a far-off baseline would squeeze the rest together),
     * each labelled with its loss, and a thick bar under each group that cannot be told apart.
     */
    byte[] picture() {
        List<PairedComparison.Entry> e = comparison.entries();
        int w = 900, rowH = 18, top = 50, n = e.size();
        long bars = comparison.groups().stream().filter(g -> g.size() > 1).count();
        int h = top + 30 + n * rowH + (int) bars * 14 + 20;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Models by mean test loss (" + unit + "), best left; a bar joins those these test data cannot tell apart", 20, 24);
        int x0 = 80, x1 = w - 220;
        java.util.function.IntUnaryOperator x = i -> n == 1 ? (x0 + x1) / 2 : x0 + i * (x1 - x0) / (n - 1);
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(x0 - 20, top, x1 + 20, top);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int i = 0; i < n; i++) {
            int px = x.applyAsInt(i), py = top + 24 + i * rowH;
            g.setColor(e.get(i).reference() ? Color.GRAY : new Color(30, 90, 160));
            g.fillOval(px - 5, top - 5, 10, 10);
            g.drawLine(px, top, px, py - 4);
            g.drawString(String.format(Locale.ROOT, "%s %.4f", label(e.get(i)), e.get(i).meanLoss()), px + 5, py);
        }
        g.setStroke(new BasicStroke(6f));
        g.setColor(new Color(200, 60, 60));
        int gy = top + 24 + n * rowH + 4;
        for (List<Integer> grp : comparison.groups()) {
            if (grp.size() < 2) continue;
            g.drawLine(x.applyAsInt(grp.get(0)) - 6, gy, x.applyAsInt(grp.get(grp.size() - 1)) + 6, gy);
            gy += 14;
        }
        g.dispose();
        return Png.of(img);
    }

    static String label(PairedComparison.Entry e) {
        return e.reference() ? e.name() + " (reference)" : e.name() + (e.runs().size() > 1 ? " ×" + e.runs().size() + " seeds" : "");
    }

    private static String spoken(PairedComparison.Entry e) {
        if (!e.reference()) return e.name();
        return e.name().equals("optimum") ? "the optimum" : "the " + e.name() + " baseline";
    }

    /** "The optimum", "The unigram baseline"; a model's own name stays as its user wrote it. */
    private static String capital(String s) {
        return s.startsWith("the ") ? "T" + s.substring(1) : s;
    }

    /** "0.0120–0.0300", or "−0.0030 to 0.0110" when a dash would read as a minus sign. */
    private static String range(double low, double high) {
        return low >= 0 ? f4(low) + "–" + f4(high) : f4(low).replace('-', '−') + " to " + f4(high).replace('-', '−');
    }

    static String pText(double p) {
        return p < 0.001 ? "p < 0.001" : String.format(Locale.ROOT, "p = %.3f", p);
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
