package org.seqlab.experiments.compare;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.util.CombinatoricsUtils;

import java.util.Arrays;
import java.util.Iterator;

/**
 * Paired comparisons of two models scored on the same test examples: the difference in mean loss
 * (weighted by predictions: the difference of the two test losses results.json reports), a 95%
 * interval, and a two-sided p-value. Every resampling draws from a generator with a fixed seed, so
 * the same losses give the same numbers.
 *
 * <ul>
 *   <li>One run each (<em>these two trained models</em>): the interval is a paired percentile
 *       bootstrap over examples (each draw resamples examples with replacement; the statistic is
 *       Σd/Σn over the draw; BCa covered less often on skewed simulated losses, 91% against 94%); the p-value is a paired sign-flip permutation test (under "no
 *       difference" each example's difference is as likely to have either sign).</li>
 *   <li>Several seeds (<em>these two configurations</em>): the interval is a two-level percentile bootstrap,
 *       resampling each side's seeds and, with the same draw for both sides, the examples, so that
 *       seed-to-seed variance is counted. The p-value permutes seed labels between the two sides
 *       (all splits when there are at most {@code resamples} of them): exact under "the two
 *       configurations train equally good models", whatever the test examples. Against a single
 *       run (a reference model, one seed) seeds cannot be permuted: the p-value is then twice the
 *       two-level bootstrap's smaller tail beyond zero.</li>
 * </ul>
 * Differences are A − B: negative means A's loss is lower.
 */
public final class PairedStats {
    /** The resampling generator's seed, recorded in every report. */
    public static final long RESAMPLING_SEED = 33L;
    /** Bootstrap draws and random sign flips (or seed splits) per comparison. */
    public static final int RESAMPLES = 4000;

    private PairedStats() {}

    /** Which question an interval answers. */
    public enum Level {
        /** these two trained models (one run each, or each side's seeds averaged per example): resampled over examples */
        EXAMPLES,
        /** these two configurations: resampled over seeds and examples */
        SEEDS_AND_EXAMPLES
    }

    /**
     * @param mean        A − B in loss per prediction
     * @param low         the 95% interval's lower end
     * @param high        its upper end
     * @param p           two-sided p-value (uncorrected; Holm corrects across pairs)
     * @param examples    test examples paired
     * @param predictions predictions over them (tokens, frames, values)
     * @param seedsA      runs of A (seeds)
     * @param seedsB      runs of B
     * @param level       which question the interval and p answer
     * @param resamples   bootstrap draws (and permutations) made
     * @param resamplingSeed the generator's seed
     */
    public record Difference(double mean, double low, double high, double p, int examples, long predictions,
                             int seedsA, int seedsB, Level level, int resamples, long resamplingSeed) {
        /** The same difference seen from B: B − A. */
        public Difference flipped() {
            return new Difference(-mean, -high, -low, p, examples, predictions, seedsB, seedsA, level, resamples, resamplingSeed);
        }
    }

    /** One run each: paired bootstrap and sign-flip test over examples. */
    public static Difference examples(double[] a, double[] b, long[] count) {
        return examples(a, b, count, RESAMPLES, RESAMPLING_SEED);
    }

    public static Difference examples(double[] a, double[] b, long[] count, int resamples, long seed) {
        int n = check(a.length, b.length, count);
        double[] d = new double[n];
        long total = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) { d[i] = a[i] - b[i]; sum += d[i]; total += count[i]; }
        double observed = sum / total;
        RandomGenerator random = new Well19937c(seed);
        double[] boot = new double[resamples];
        for (int k = 0; k < resamples; k++) {
            double s = 0;
            long c = 0;
            for (int i = 0; i < n; i++) {
                int j = random.nextInt(n);
                s += d[j];
                c += count[j];
            }
            boot[k] = s / c;
        }
        double[] ci = percentiles(boot);
        // sign flips: the denominator Σn does not change, so compare |Σ ±d| with |Σd|
        long extreme = 0;
        double threshold = Math.abs(sum) * (1 - 1e-12);
        for (int k = 0; k < resamples; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += random.nextBoolean() ? d[i] : -d[i];
            if (Math.abs(s) >= threshold) extreme++;
        }
        double p = (extreme + 1.0) / (resamples + 1.0);
        return new Difference(observed, ci[0], ci[1], p, n, total, 1, 1, Level.EXAMPLES, resamples, seed);
    }

    /** Several seeds on at least one side: the mean over seeds, its two-level interval and the seed-permutation p. */
    public static Difference seedsAndExamples(double[][] a, double[][] b, long[] count) {
        return seedsAndExamples(a, b, count, RESAMPLES, RESAMPLING_SEED);
    }

    /**
     * @param a {@code a[s][i]}: A's run with its s-th seed, loss of example i
     * @param b likewise for B
     */
    public static Difference seedsAndExamples(double[][] a, double[][] b, long[] count, int resamples, long seed) {
        int n = count.length;
        for (double[] r : a) check(r.length, n, count);
        for (double[] r : b) check(r.length, n, count);
        int sa = a.length, sb = b.length;
        long total = 0;
        for (long c : count) total += c;
        double[] ta = totals(a), tb = totals(b);
        double observed = (mean(ta) - mean(tb)) / total;
        RandomGenerator random = new Well19937c(seed);
        double[] boot = new double[resamples];
        int[] weight = new int[n];
        for (int k = 0; k < resamples; k++) {
            Arrays.fill(weight, 0);
            for (int i = 0; i < n; i++) weight[random.nextInt(n)]++;
            long c = 0;
            for (int i = 0; i < n; i++) c += weight[i] * count[i];
            double la = 0, lb = 0;
            for (int s = 0; s < sa; s++) la += weighted(a[random.nextInt(sa)], weight);
            for (int s = 0; s < sb; s++) lb += weighted(b[random.nextInt(sb)], weight);
            boot[k] = (la / sa - lb / sb) / c;
        }
        double[] ci = percentiles(boot);
        double[] pooled = new double[sa + sb];
        System.arraycopy(ta, 0, pooled, 0, sa);
        System.arraycopy(tb, 0, pooled, sa, sb);
        // seed labels can only be permuted with seeds on both sides; against one run (a reference,
        // a single seed) the p-value is the two-level bootstrap's, by inverting its interval
        double p = sa > 1 && sb > 1 ? seedPermutationP(pooled, sa, resamples, random) : bootstrapP(boot);
        return new Difference(observed, ci[0], ci[1], p, n, total, sa, sb, Level.SEEDS_AND_EXAMPLES, resamples, seed);
    }

    /**
     * Two-sided permutation p of mean(first sa) − mean(rest) over relabellings of the seeds: every
     * split when there are at most {@code resamples} (the identity among them), else random ones.
     */
    static double seedPermutationP(double[] pooled, int sa, int resamples, RandomGenerator random) {
        int m = pooled.length;
        double all = 0;
        for (double v : pooled) all += v;
        double obs = Math.abs(diff(sum(pooled, 0, sa), all, sa, m));
        double threshold = obs * (1 - 1e-12);
        if (CombinatoricsUtils.binomialCoefficientDouble(m, sa) <= resamples) {
            long extreme = 0, splits = 0;
            for (Iterator<int[]> it = CombinatoricsUtils.combinationsIterator(m, sa); it.hasNext(); ) {
                double s = 0;
                for (int i : it.next()) s += pooled[i];
                splits++;
                if (Math.abs(diff(s, all, sa, m)) >= threshold) extreme++;
            }
            return (double) extreme / splits;
        }
        long extreme = 0;
        int[] idx = new int[m];
        for (int k = 0; k < resamples; k++) {
            for (int i = 0; i < m; i++) idx[i] = i;
            double s = 0;
            for (int i = 0; i < sa; i++) {               // a random sa-subset by partial Fisher-Yates
                int j = i + random.nextInt(m - i);
                int t = idx[i]; idx[i] = idx[j]; idx[j] = t;
                s += pooled[idx[i]];
            }
            if (Math.abs(diff(s, all, sa, m)) >= threshold) extreme++;
        }
        return (extreme + 1.0) / (resamples + 1.0);
    }

    /** Two-sided p of "no difference" from bootstrap draws: twice the smaller tail beyond zero. */
    static double bootstrapP(double[] draws) {
        long atOrBelow = 0, atOrAbove = 0;
        for (double v : draws) {
            if (v <= 0) atOrBelow++;
            if (v >= 0) atOrAbove++;
        }
        return Math.min(1, 2 * (Math.min(atOrBelow, atOrAbove) + 1.0) / (draws.length + 1.0));
    }

    /**
     * Holm's step-down correction: adjusted p-values that keep the chance of any false "different"
     * across all pairs at the level. Same order as the input.
     */
    public static double[] holm(double[] p) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(p[x], p[y]));
        double[] adjusted = new double[m];
        double running = 0;
        for (int k = 0; k < m; k++) {
            running = Math.max(running, Math.min(1, (m - k) * p[order[k]]));
            adjusted[order[k]] = running;
        }
        return adjusted;
    }

    private static double diff(double sumFirst, double all, int sa, int m) {
        return sumFirst / sa - (all - sumFirst) / (m - sa);
    }

    private static double sum(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += v[i];
        return s;
    }

    private static double weighted(double[] losses, int[] weight) {
        double s = 0;
        for (int i = 0; i < losses.length; i++) if (weight[i] != 0) s += weight[i] * losses[i];
        return s;
    }

    private static double[] totals(double[][] runs) {
        double[] t = new double[runs.length];
        for (int s = 0; s < runs.length; s++) t[s] = sum(runs[s], 0, runs[s].length);
        return t;
    }

    private static double mean(double[] v) {
        return sum(v, 0, v.length) / v.length;
    }

    /** The 2.5% and 97.5% points of the draws (commons-math3's default estimator). */
    private static double[] percentiles(double[] draws) {
        org.apache.commons.math3.stat.descriptive.rank.Percentile p = new org.apache.commons.math3.stat.descriptive.rank.Percentile();
        p.setData(draws);
        return new double[]{p.evaluate(2.5), p.evaluate(97.5)};
    }

    private static int check(int a, int b, long[] count) {
        if (a != b || a != count.length)
            throw new IllegalArgumentException("paired losses need the same examples: " + a + " and " + b + " losses, " + count.length + " counts");
        if (a < 2) throw new IllegalArgumentException("a paired comparison needs at least 2 test examples, got " + a);
        return a;
    }
}
