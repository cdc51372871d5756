package org.seqlab.experiments.compare;

import org.seqlab.core.TestLosses;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every pair of models (and reference models) that scored the same test examples, compared
 * example by example with {@link PairedStats}, Holm-corrected across all pairs, and the groups of
 * models that cannot be told apart. What the report's "Is the difference real?" section and
 * {@code seqlab compare} show.
 *
 * @param entries models, best (lowest mean loss) first
 * @param pairs   every pair i &lt; j of {@code entries}: difference = entries[i] − entries[j]
 * @param groups  maximal runs of consecutive entries (indices into entries) with no significant pair inside
 * @param left    files that were not paired, with why (another test split)
 */
public record PairedComparison(List<Entry> entries, List<Pair> pairs, List<List<Integer>> groups, List<String> left) {
    /** The level at which a Holm-corrected p calls a pair different. */
    public static final double LEVEL = 0.05;

    /**
     * One model: its runs' per-example losses (one array per seed), or a reference's one array.
     *
     * @param name      the model's name
     * @param reference a baseline or the optimum (nothing trained, no seeds)
     * @param runs      loss of each example, one array per seed
     * @param count     predictions of each example
     * @param meanLoss  loss per prediction, averaged over the seeds
     */
    public record Entry(String name, boolean reference, List<double[]> runs, long[] count, double meanLoss) {}

    /**
     * @param a          index of the first entry (the better of the two by mean loss)
     * @param b          index of the second
     * @param difference a − b, per prediction
     * @param models     several seeds only: the difference of the seed-averaged losses, over examples
     *                   alone (these trained models); null with one run each
     * @param holmP      p corrected across every pair of the comparison
     */
    public record Pair(int a, int b, PairedStats.Difference difference, PairedStats.Difference models, double holmP) {
        public boolean significant() {
            return holmP < LEVEL;
        }
    }

    /**
     * Pairs the files that share the test split of the first trained run (or of the first file): a
     * file of another split is left out with a line saying so.
     */
    public static PairedComparison of(List<TestLosses> files) {
        List<String> left = new ArrayList<>();
        if (files.isEmpty()) return new PairedComparison(List.of(), List.of(), List.of(), left);
        TestLosses anchor = files.stream().filter(f -> !f.header().reference()).findFirst().orElse(files.get(0));
        String split = anchor.header().splitIdentity();
        Map<String, List<TestLosses>> byModel = new LinkedHashMap<>();
        for (TestLosses f : files) {
            if (!f.header().splitIdentity().equals(split)) {
                left.add(f.header().model() + (f.header().seed() == null ? "" : " (seed " + f.header().seed() + ")")
                        + ": scored another test split, not paired");
                continue;
            }
            byModel.computeIfAbsent((f.header().reference() ? "\u0000" : "") + f.header().model(), k -> new ArrayList<>()).add(f);
        }
        List<Entry> entries = new ArrayList<>();
        for (List<TestLosses> runs : byModel.values()) {
            TestLosses first = runs.get(0);
            List<double[]> losses = runs.stream().map(TestLosses::loss).toList();
            double mean = runs.stream().mapToDouble(TestLosses::meanLoss).average().orElseThrow();
            entries.add(new Entry(first.header().model(), first.header().reference(), losses, first.count(), mean));
        }
        entries.sort(Comparator.comparingDouble(Entry::meanLoss));
        return compare(entries, left);
    }

    /** Compares every pair of {@code entries} (already in the order to show), Holm-corrected together. */
    public static PairedComparison compare(List<Entry> entries, List<String> left) {
        List<PairedStats.Difference> diffs = new ArrayList<>();
        List<PairedStats.Difference> models = new ArrayList<>();
        List<int[]> index = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++)
            for (int j = i + 1; j < entries.size(); j++) {
                Entry a = entries.get(i), b = entries.get(j);
                index.add(new int[]{i, j});
                if (a.runs().size() == 1 && b.runs().size() == 1) {
                    diffs.add(PairedStats.examples(a.runs().get(0), b.runs().get(0), a.count()));
                    models.add(null);
                } else {
                    diffs.add(PairedStats.seedsAndExamples(a.runs().toArray(double[][]::new), b.runs().toArray(double[][]::new), a.count()));
                    models.add(PairedStats.examples(averaged(a.runs()), averaged(b.runs()), a.count()));
                }
            }
        double[] p = diffs.stream().mapToDouble(PairedStats.Difference::p).toArray();
        double[] holm = PairedStats.holm(p);
        List<Pair> pairs = new ArrayList<>();
        for (int k = 0; k < diffs.size(); k++) pairs.add(new Pair(index.get(k)[0], index.get(k)[1], diffs.get(k), models.get(k), holm[k]));
        return new PairedComparison(entries, pairs, groups(entries.size(), pairs), left);
    }

    /** The pair of entries i and j (either order), as compared (i before j in the entries). */
    public Pair pair(int i, int j) {
        int a = Math.min(i, j), b = Math.max(i, j);
        for (Pair p : pairs) if (p.a() == a && p.b() == b) return p;
        throw new IllegalArgumentException("no pair " + i + ", " + j);
    }

    /**
     * Groups that cannot be told apart, as a critical-difference diagram draws them: the maximal
     * runs of consecutive entries (by mean loss) in which no pair differs significantly; an entry
     * that differs from all its neighbours is a group of its own.
     */
    static List<List<Integer>> groups(int n, List<Pair> pairs) {
        boolean[][] different = new boolean[n][n];
        for (Pair p : pairs) different[p.a()][p.b()] = different[p.b()][p.a()] = p.significant();
        List<List<Integer>> out = new ArrayList<>();
        int lastEnd = -1;
        for (int start = 0; start < n; start++) {
            int end = start;
            while (end + 1 < n && fits(different, start, end + 1)) end++;
            if (end > lastEnd) {                         // not inside the previous group
                List<Integer> g = new ArrayList<>();
                for (int i = start; i <= end; i++) g.add(i);
                out.add(g);
                lastEnd = end;
            }
        }
        return out;
    }

    private static boolean fits(boolean[][] different, int start, int candidate) {
        for (int i = start; i < candidate; i++) if (different[i][candidate]) return false;
        return true;
    }

    private static double[] averaged(List<double[]> runs) {
        double[] out = new double[runs.get(0).length];
        for (double[] r : runs) for (int i = 0; i < out.length; i++) out[i] += r[i] / runs.size();
        return out;
    }
}
