package org.seqlab.core.head;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NADE head is a distribution over whole frames: on a frame of few keys, every one of the 2^K
 * frames is scored, and their probabilities sum to one (a key that read itself or a key above it
 * would break that), and frames drawn by the sampler come up as often as those probabilities say.
 */
class NadeHeadTest {
    private static final int KEYS = 4, HIDDEN = 5;

    private static NadeHead head(long seed) {
        NadeHead h = new NadeHead(3, KEYS, HIDDEN);
        SplittableRandom r = new SplittableRandom(seed);
        double[] p = h.parameters();
        for (int i = 0; i < p.length; i++) p[i] = r.nextDouble(-1.5, 1.5);
        return h;
    }

    private static double[] conditioning(NadeHead h, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] q = new double[h.projectionWidth()];
        for (int i = 0; i < q.length; i++) q[i] = r.nextDouble(-2, 2);
        return q;
    }

    /** p(frame) for each of the 2^K frames, from the head's exact NLL. */
    private static double[] probabilities(NadeHead h, double[] q) {
        double[] p = new double[1 << KEYS];
        for (int f = 0; f < p.length; f++) {
            float[] v = new float[KEYS];
            for (int k = 0; k < KEYS; k++) v[k] = (f >> k & 1);
            double nll = h.evaluateProjected(q, 1, null, v, new float[]{1f}, null, 1)[0].lossSum();
            p[f] = Math.exp(-nll);
        }
        return p;
    }

    @Test
    void theFramesProbabilitiesSumToOne() {
        for (long seed = 1; seed <= 5; seed++) {
            NadeHead h = head(seed);
            double sum = 0;
            for (double p : probabilities(h, conditioning(h, 100 + seed))) {
                assertTrue(p > 0 && p < 1, "a frame's probability " + p);
                sum += p;
            }
            assertEquals(1.0, sum, 1e-12, "seed " + seed);
        }
    }

    @Test
    void sampledFramesComeUpAsOftenAsTheirProbability() {
        NadeHead h = head(7);
        double[] q = conditioning(h, 8);
        double[] p = probabilities(h, q);
        int n = 40_000;
        int[] seen = new int[p.length];
        SplittableRandom random = new SplittableRandom(9);
        for (int s = 0; s < n; s++) {
            float[] v = h.sampleFrameProjected(q, 1.0, random);
            int f = 0;
            for (int k = 0; k < KEYS; k++) if (v[k] > 0.5f) f |= 1 << k;
            seen[f]++;
        }
        for (int f = 0; f < p.length; f++) {
            double sd = Math.sqrt(p[f] * (1 - p[f]) / n);
            assertEquals(p[f], seen[f] / (double) n, 5 * sd + 1e-4, "frame " + Integer.toBinaryString(f));
        }
    }
}
