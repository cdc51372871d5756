package org.seqlab.core.head;

import org.seqlab.core.EvalStats;
import org.seqlab.core.InitialWeights;
import org.seqlab.core.OutputKind;

import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code output: nade}: the keys of a frame depend on each other, through a NADE whose biases come
 * from the family's hidden state (RNN-NADE, Boulanger-Lewandowski, Bengio and Vincent 2012). For a
 * frame v of K keys, from the family's hidden state x:
 * <pre>
 *   [b_v | b_h] = x Why + by                          (K visible biases, H hidden biases)
 *   a_0 = b_h,  a_{i+1} = a_i + W_i v_i               (W_i: row i of Win [K × H], the paper's W[:, i])
 *   p(v_i = 1 | v_{&lt;i}) = σ(b_v,i + V_i · σ(a_i))    (V_i: row i of Wout [K × H], the paper's V)
 *   loss = − Σ_i log p(v_i | v_{&lt;i})                 (exact NLL of the frame, keys from the lowest up)
 * </pre>
 * σ(a_i) changes only at a key that sounds, so a frame with m keys on needs m + 1 hidden vectors
 * (H sigmoids each) and K dot products of length H: O(K·H) per frame, forward and backward, done
 * frame by frame in one pass with no per-frame allocation.
 *
 * <p>Evaluation: the NLL is exact. The thresholded accuracy is that of the greedy frame (each key
 * on when its conditional probability, given the greedy keys below it, reaches 0.5): exact. The
 * expected accuracy (keys drawn from the model) has no closed form here; it is <b>estimated by
 * sampling</b> {@link #SAMPLES} frames per step from a fixed seed, so the same batch always gets
 * the same estimate.
 */
public final class NadeHead implements OutputHead {
    /** Frames drawn per step for the expected accuracy's estimate. */
    public static final int SAMPLES = 2;
    private static final long EVAL_SEED = 0x5EEDL;

    private final int in, keys, hid, cw;          // cw: width of the conditioning [b_v | b_h]
    private final int oBy, oWin, oWout;
    private final double[] params, grad;
    // scratch
    private double[] cond, dCond;          // the projection [b_v | b_h] of the current pass and its gradient
    private final double[] a, hs, dhs, acc, delta;
    private final int[] segOf, bounds;
    private final float[] walked;

    public NadeHead(int inputWidth, int keys, int nadeHidden) {
        this.in = inputWidth;
        this.keys = keys;
        this.hid = nadeHidden;
        this.cw = keys + nadeHidden;
        oBy = in * cw;
        oWin = oBy + cw;
        oWout = oWin + keys * hid;
        params = new double[oWout + keys * hid];
        grad = new double[params.length];
        a = new double[hid];
        hs = new double[(keys + 1) * hid];
        dhs = new double[(keys + 1) * hid];
        acc = new double[hid];
        delta = new double[keys];
        segOf = new int[keys];
        bounds = new int[keys + 1];
        walked = new float[keys];
    }

    @Override public String key() { return "nade"; }
    @Override public OutputKind kind() { return OutputKind.FRAMES; }
    @Override public int inputWidth() { return in; }
    @Override public int width() { return keys; }
    @Override public double[] parameters() { return params; }
    @Override public double[] gradient() { return grad; }
    @Override public boolean sampledExpectedAccuracy() { return true; }

    public int nadeHidden() {
        return hid;
    }

    @Override
    public List<Tensor> tensors() {
        return List.of(new Tensor("Why", in, cw, true), new Tensor("by", 1, cw, false),
                new Tensor("nade.Win", keys, hid, true), new Tensor("nade.Wout", keys, hid, true));
    }

    @Override
    public void initialise(InitialWeights init, Double framePrior) {
        InitialWeights.Linear l = init.output(in, cw);
        System.arraycopy(l.w(), 0, params, 0, in * cw);
        System.arraycopy(l.b(), 0, params, oBy, cw);
        if (framePrior != null) java.util.Arrays.fill(params, oBy, oBy + keys, org.seqlab.core.FramePrior.bias(framePrior));
        System.arraycopy(init.linear(hid, keys).w(), 0, params, oWin, keys * hid);
        System.arraycopy(init.linear(hid, keys).w(), 0, params, oWout, keys * hid);
    }

    @Override
    public int projectionWidth() {
        return cw;
    }

    @Override
    public EvalStats trainProjected(double[] q, int n, int[] tokens, float[] vectors, float[] mask, double[] dq) {
        cond = q;
        dCond = dq;
        int real = Tally.countReal(mask, n);
        double scale = real == 0 ? 0 : 1.0 / real;            // gradient of the mean loss over real frames
        java.util.Arrays.fill(grad, oWin, grad.length, 0);
        Tally t = new Tally(1);
        for (int r = 0; r < n; r++) {
            if (mask[r] == 0) {
                java.util.Arrays.fill(dCond, r * cw, (r + 1) * cw, 0);
                continue;
            }
            t.count[0]++;
            frame(r * cw, vectors, r * keys, scale, true, t, 0);
        }
        cond = dCond = null;
        return t.stats()[0];
    }

    @Override
    public EvalStats[] evaluateProjected(double[] q, int n, int[] tokens, float[] vectors, float[] mask, int[] group, int groups) {
        cond = q;
        Tally t = new Tally(groups);
        SplittableRandom random = new SplittableRandom(EVAL_SEED);
        for (int r = 0; r < n; r++) {
            if (mask[r] == 0) continue;
            int g = group == null ? 0 : group[r];
            t.count[g]++;
            int co = r * cw, vo = r * keys;
            frame(co, vectors, vo, 0, false, t, g);
            // thresholded accuracy: the greedy frame
            walk(co, true, null, 1, walked);
            long tp = 0, all = 0;
            for (int i = 0; i < keys; i++) {
                boolean on = walked[i] != 0, truth = vectors[vo + i] > 0.5;
                if (on && truth) tp++;
                if (on || truth) all++;
            }
            t.correct[g] += tp;
            t.total[g] += all;
            // expected accuracy: estimated by sampling
            double eh = 0, et = 0;
            for (int s = 0; s < SAMPLES; s++) {
                walk(co, false, random, 1, walked);
                for (int i = 0; i < keys; i++) {
                    boolean on = walked[i] != 0, truth = vectors[vo + i] > 0.5;
                    if (on && truth) eh++;
                    if (on || truth) et++;
                }
            }
            t.expectedHits[g] += eh / SAMPLES;
            t.expectedTotal[g] += et / SAMPLES;
        }
        cond = null;
        return t.stats();
    }

    /**
     * One frame's exact NLL (into {@code t}), and with {@code backward} its gradient: d/d[b_v | b_h]
     * into {@code dCond} at {@code co}, d/dWin and d/dWout added into {@link #gradient()}, all times
     * {@code scale}. The frame's hidden vectors live in {@code hs}, one per segment of keys between
     * two that sound; the backward pass walks the segments from the top, carrying Σ dL/da.
     */
    private void frame(int co, float[] targets, int vo, double scale, boolean backward, Tally t, int g) {
        final int H = hid;
        final double[] P = params;
        for (int j = 0; j < H; j++) a[j] = cond[co + keys + j];
        sigmoid(a, hs, 0);
        int seg = 0;
        double loss = 0;
        long correct = 0, total = 0;
        for (int i = 0; i < keys; i++) {
            double z = cond[co + i] + dot(P, oWout + i * H, hs, seg * H, H);   // b_v,i + V_i · σ(a_i)
            boolean v = targets[vo + i] > 0.5;
            loss += v ? softplus(-z) : softplus(z);                           // −log p(v_i | v_<i)
            double p = 1 / (1 + Math.exp(-z));
            if (p >= 0.5 && v) correct++;
            if (p >= 0.5 || v) total++;
            delta[i] = (p - (v ? 1 : 0)) * scale;                             // dL/dz_i
            segOf[i] = seg;
            if (v) {                                                          // a_{i+1} = a_i + W_i
                int w = oWin + i * H;
                for (int j = 0; j < H; j++) a[j] += P[w + j];
                seg++;
                bounds[seg] = i;
                sigmoid(a, hs, seg * H);
            }
        }
        t.loss[g] += loss;
        if (backward) {          // teacher-forced hits: a training pass's counts
            t.correct[g] += correct;
            t.total[g] += total;
        }
        if (!backward) return;
        java.util.Arrays.fill(dhs, 0, (seg + 1) * H, 0);
        for (int i = 0; i < keys; i++) {
            double d = delta[i];
            dCond[co + i] = d;                                                // dL/db_v,i = dL/dz_i
            int s = segOf[i] * H, w = oWout + i * H;
            for (int j = 0; j < H; j++) {
                grad[w + j] += d * hs[s + j];                                 // dL/dV_i += dz_i σ(a_i)
                dhs[s + j] += d * P[w + j];                                   // dL/dσ(a) of the segment += dz_i V_i
            }
        }
        java.util.Arrays.fill(acc, 0);
        for (int s = seg; s >= 0; s--) {                                       // acc = Σ_{s' ≥ s} dL/da_s'
            int o = s * H;
            for (int j = 0; j < H; j++) {
                double h = hs[o + j];
                acc[j] += dhs[o + j] * h * (1 - h);
            }
            if (s > 0) {                                                        // key bounds[s] feeds every later segment
                int w = oWin + bounds[s] * H;
                for (int j = 0; j < H; j++) grad[w + j] += acc[j];
            }
        }
        System.arraycopy(acc, 0, dCond, co + keys, H);                         // dL/db_h = Σ_s dL/da_s
    }

    /**
     * Walks a frame key by key from the conditioning at {@code co}: greedy (on when p ≥ 0.5) or drawn
     * (on with probability σ(z / temperature)); writes 0/1 into {@code out}.
     */
    private void walk(int co, boolean greedy, SplittableRandom random, double temperature, float[] out) {
        final int H = hid;
        for (int j = 0; j < H; j++) a[j] = cond[co + keys + j];
        sigmoid(a, hs, 0);
        for (int i = 0; i < keys; i++) {
            double z = cond[co + i] + dot(params, oWout + i * H, hs, 0, H);
            boolean on = greedy ? z >= 0 : random.nextDouble() < 1 / (1 + Math.exp(-z / temperature));
            out[i] = on ? 1f : 0f;
            if (on) {
                int w = oWin + i * H;
                for (int j = 0; j < H; j++) a[j] += params[w + j];
                sigmoid(a, hs, 0);
            }
        }
    }

    /** Each key's logit given that no key below it sounds: σ(a) stays σ(b_h) across the frame. */
    @Override
    public void outputsProjected(double[] q, int n, double[] out) {
        cond = q;
        for (int r = 0; r < n; r++) {
            int co = r * cw;
            for (int j = 0; j < hid; j++) a[j] = cond[co + keys + j];
            sigmoid(a, hs, 0);
            for (int i = 0; i < keys; i++) out[r * keys + i] = cond[co + i] + dot(params, oWout + i * hid, hs, 0, hid);
        }
        cond = null;
    }

    /** Exact ancestral sampling, key by key from the lowest. */
    @Override
    public float[] sampleFrameProjected(double[] q, double temperature, SplittableRandom random) {
        cond = q;
        float[] frame = new float[keys];
        walk(0, false, random, temperature, frame);
        cond = null;
        return frame;
    }

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static void sigmoid(double[] x, double[] out, int off) {
        for (int j = 0; j < x.length; j++) out[off + j] = 1 / (1 + Math.exp(-x[j]));
    }

    /** Four independent sums, so the loop is not one serial chain of additions. */
    private static double dot(double[] x, int xo, double[] y, int yo, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += x[xo + j] * y[yo + j];
            s1 += x[xo + j + 1] * y[yo + j + 1];
            s2 += x[xo + j + 2] * y[yo + j + 2];
            s3 += x[xo + j + 3] * y[yo + j + 3];
        }
        for (; j < n; j++) s0 += x[xo + j] * y[yo + j];
        return (s0 + s1) + (s2 + s3);
    }
}
