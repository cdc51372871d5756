package org.seqlab.core.sample;

import org.seqlab.core.Check;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The one sampler every family generates through: temperature, then top-k, then top-p (nucleus)
 * over a softmax of logits; for frame models, an independent Bernoulli per unit with temperature.
 *
 * @param temperature divides the logits (> 0; lower = more conservative)
 * @param topK        keep only the k most likely tokens (0 = off)
 * @param topP        keep the smallest set of tokens whose probability reaches p (1 = off)
 */
public record Sampler(double temperature, int topK, double topP) {
    public Sampler {
        Check.positive("temperature", temperature);
        Check.atLeast("top_k", topK, 0);
        Check.range("top_p", topP, 1e-9, 1, true);
    }

    public static Sampler ofTemperature(double t) {
        return new Sampler(t, 0, 1.0);
    }

    /** The distribution actually sampled from, after temperature, top-k and top-p. */
    public double[] distribution(float[] logits) {
        int v = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < v; i++) p[i] /= sum;
        if ((topK > 0 && topK < v) || topP < 1) {
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
            int keep = topK > 0 ? Math.min(topK, v) : v;
            double cum = 0;
            for (int r = 0; r < keep; r++) {
                cum += p[order[r]];
                if (cum >= topP) { keep = r + 1; break; }
            }
            double kept = 0;
            for (int r = 0; r < v; r++) {
                if (r < keep) kept += p[order[r]];
                else p[order[r]] = 0;
            }
            for (int i = 0; i < v; i++) p[i] /= kept;
        }
        return p;
    }

    public int sample(float[] logits, SplittableRandom random) {
        double[] p = distribution(logits);
        double u = random.nextDouble();
        double cum = 0;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) continue;
            cum += p[i];
            last = i;
            if (u < cum) return i;
        }
        return last;
    }

    /** Samples a multi-hot frame: unit k is on with probability sigmoid(logit_k / temperature). */
    public float[] sampleFrame(float[] logits, SplittableRandom random) {
        float[] frame = new float[logits.length];
        for (int k = 0; k < logits.length; k++) {
            double p = 1 / (1 + Math.exp(-logits[k] / temperature));
            frame[k] = random.nextDouble() < p ? 1f : 0f;
        }
        return frame;
    }
}
