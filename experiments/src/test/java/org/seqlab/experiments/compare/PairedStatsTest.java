package org.seqlab.experiments.compare;

import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.inference.TTest;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paired statistics are calibrated: on simulated per-example losses that are skewed (gamma
 * noise of different shapes for the two models), correlated (a shared per-example difficulty) and
 * of unequal lengths, with equal means the test rejects about 5% of the time at the 5% level and
 * the 95% interval covers the true difference about 95% of the time; with a known shift it has power.
 */
class PairedStatsTest {
    static final int REPS = 1000, EXAMPLES = 150, RESAMPLES = 1000;

    /** Losses of one simulated test set: A and B share each example's difficulty and length. */
    record Simulated(double[] a, double[] b, long[] count) {}

    static Simulated simulate(SplittableRandom r, Well19937c g, double shiftPerPrediction) {
        GammaDistribution noiseA = new GammaDistribution(g, 2.0, 0.5);      // mean 1, skewed
        GammaDistribution noiseB = new GammaDistribution(g, 0.7, 1 / 0.7);  // mean 1, more skewed
        double[] a = new double[EXAMPLES], b = new double[EXAMPLES];
        long[] count = new long[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            count[i] = 3 + r.nextInt(10);
            double difficulty = Math.exp(0.5 * r.nextGaussian());            // log-normal, shared: correlation
            a[i] = count[i] * difficulty * noiseA.sample();
            b[i] = count[i] * (difficulty * noiseB.sample() + shiftPerPrediction);
        }
        return new Simulated(a, b, count);
    }

    /** The true A − B per prediction: E[a_i − b_i] / E[n_i] = −shift (the noise means are equal). */
    static double[] rejectionAndCoverage(double shift) {
        SplittableRandom r = new SplittableRandom(2026);
        Well19937c g = new Well19937c(7);
        int rejected = 0, covered = 0;
        for (int rep = 0; rep < REPS; rep++) {
            Simulated s = simulate(r, g, shift);
            PairedStats.Difference d = PairedStats.examples(s.a(), s.b(), s.count(), RESAMPLES, rep);
            if (d.p() < 0.05) rejected++;
            if (d.low() <= -shift && -shift <= d.high()) covered++;
        }
        return new double[]{(double) rejected / REPS, (double) covered / REPS};
    }

    @Test
    void equalMeansAreRejectedAtTheLevelAndTheIntervalCoversTheTruth() {
        double[] rc = rejectionAndCoverage(0);
        System.out.printf("paired stats, equal means, %d reps of %d examples: rejection %.1f%% at 5%%, coverage %.1f%%%n",
                REPS, EXAMPLES, 100 * rc[0], 100 * rc[1]);
        assertTrue(rc[0] >= 0.03 && rc[0] <= 0.07, "rejection rate " + rc[0]);
        assertTrue(rc[1] >= 0.93 && rc[1] <= 0.97, "coverage " + rc[1]);
    }

    @Test
    void aKnownShiftIsFoundAndCovered() {
        double shift = 0.5;                        // per prediction: about 3 standard errors of this noisy simulation
        double[] rc = rejectionAndCoverage(shift);
        System.out.printf("paired stats, shift %.2f per prediction, %d reps of %d examples: power %.1f%%, coverage %.1f%%%n",
                shift, REPS, EXAMPLES, 100 * rc[0], 100 * rc[1]);
        assertTrue(rc[0] > 0.8, "power " + rc[0]);
        assertTrue(rc[1] >= 0.93 && rc[1] <= 0.97, "coverage " + rc[1]);
    }

    /** With one prediction per example the sign-flip p agrees with commons-math3's paired t-test on a large sample. */
    @Test
    void theSignFlipTestAgreesWithThePairedTTestOnLargeSamples() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 2000;
        double[] a = new double[n], b = new double[n];
        long[] one = new long[n];
        for (int i = 0; i < n; i++) {
            double common = r.nextGaussian();
            a[i] = common + r.nextGaussian();
            b[i] = common + r.nextGaussian() + 0.06;
            one[i] = 1;
        }
        PairedStats.Difference d = PairedStats.examples(a, b, one);
        double t = new TTest().pairedTTest(a, b);
        assertEquals(t, d.p(), 0.02, "permutation p " + d.p() + " vs t-test p " + t);
        assertTrue(d.low() < d.mean() && d.mean() < d.high());
    }

    @Test
    void theSameLossesGiveTheSameNumbers() {
        Simulated s = simulate(new SplittableRandom(1), new Well19937c(1), 0.05);
        assertEquals(PairedStats.examples(s.a(), s.b(), s.count()), PairedStats.examples(s.a(), s.b(), s.count()));
        PairedStats.Difference d = PairedStats.examples(s.a(), s.b(), s.count());
        assertEquals(PairedStats.RESAMPLES, d.resamples());
        assertEquals(PairedStats.RESAMPLING_SEED, d.resamplingSeed());
    }

    @Test
    void holmMultipliesTheSmallestByTheNumberOfPairsAndKeepsTheOrder() {
        assertArrayEquals(new double[]{0.03, 0.04, 0.02, 0.6}, PairedStats.holm(new double[]{0.01, 0.02, 0.005, 0.6}), 1e-12);
    }

    /** Five seeds against five, every A seed better than every B seed: the exact permutation p is 2 / C(10,5). */
    @Test
    void seedLabelsArePermutedExactlyWhenThereAreFewSplits() {
        long[] count = {2, 3, 4};
        double[][] a = new double[5][], b = new double[5][];
        for (int s = 0; s < 5; s++) {
            a[s] = new double[]{1 + 0.01 * s, 2, 3};
            b[s] = new double[]{1.5 + 0.01 * s, 2.5, 3.5};
        }
        PairedStats.Difference d = PairedStats.seedsAndExamples(a, b, count);
        assertEquals(2.0 / 252, d.p(), 1e-12);
        assertEquals(-1.5 / 9, d.mean(), 1e-12);
        assertEquals(PairedStats.Level.SEEDS_AND_EXAMPLES, d.level());
        assertTrue(d.high() < 0, "every draw has A lower: " + d);
    }

    /** Seeds that differ as much as the two sides do: the two-level interval is wider than the example-level one. */
    @Test
    void seedVarianceWidensTheInterval() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 300;
        long[] count = new long[n];
        double[][] a = new double[5][n], b = new double[5][n];
        for (int i = 0; i < n; i++) count[i] = 5;
        for (int s = 0; s < 5; s++) {
            double seedA = 0.2 * r.nextGaussian(), seedB = 0.2 * r.nextGaussian();
            for (int i = 0; i < n; i++) {
                double base = 5 + r.nextGaussian();
                a[s][i] = base + 5 * seedA + 0.1 * r.nextGaussian();
                b[s][i] = base + 5 * seedB + 0.1 * r.nextGaussian();
            }
        }
        PairedStats.Difference both = PairedStats.seedsAndExamples(a, b, count);
        PairedStats.Difference one = PairedStats.examples(a[0], b[0], count);
        assertTrue(both.high() - both.low() > 3 * (one.high() - one.low()), both + " vs " + one);
    }
}
