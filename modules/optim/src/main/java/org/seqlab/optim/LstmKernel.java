package org.seqlab.optim;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An LSTM step's element-wise work in one pass over Java arrays, with the JDK's Vector API: the
 * forward kernel turns a step's pre-activations into the gates, the cell, tanh(cell) and the
 * output; the backward kernel turns the gradient with respect to the output into the gradient
 * with respect to the pre-activations and the cell's gradient for the step before. The hand-rolled
 * LSTM and DL4J's fused helper both run these (one implementation): ND4J would take 8 ops a step
 * forward and 13 backward, each paying its 10-50 µs per-op cost, the backward ones on strided
 * gate columns. Transcendentals go through the Vector API's EXP and TANH (the JDK's vectorised
 * math library); the same code runs on AVX2 or AVX-512, at the width the CPU prefers.
 * <pre>
 *   i = σ(zi)  f = σ(zf)  g = tanh(zg)  o = σ(zo)     c = f ⊙ c' + i ⊙ g     h = o ⊙ tanh(c)
 *   dh = dOut + dhNext                                 dc = dh ⊙ o ⊙ (1 - tanh²(c)) + dcNext
 *   dzi = dc ⊙ g ⊙ i(1-i)   dzf = dc ⊙ c' ⊙ f(1-f)   dzg = dc ⊙ i ⊙ (1-g²)   dzo = dh ⊙ tanh(c) ⊙ o(1-o)
 *   dcNext = dc ⊙ f   (the cell gradient handed to the step before)
 * </pre>
 * Arrays of a step: the pre-activations {@code z} and gates {@code act} in the family's own
 * {@link Layout}; the cell, tanh(cell), output and their gradients as [rows, length] blocks.
 */
public final class LstmKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    private LstmKernel() {}

    /**
     * Where a step's four gate blocks lie in its pre-activation array: {@code rows} runs of
     * {@code length} units, row r's run of gate k at {@code r·rowStride + offset_k}. A row-major
     * [batch, 4·hidden] step (the hand-rolled LSTM) has rows = batch, length = hidden, rowStride =
     * 4·hidden; a feature-major [4·hidden, batch] step (DL4J's helper) is one row of hidden·batch
     * per gate, rowStride 0.
     */
    public record Layout(int rows, int length, int rowStride, int offI, int offF, int offG, int offO) {
        /** The number of pre-activations of a step (four per unit). */
        public int size() {
            return 4 * rows * length;
        }

        /** The number of cell units of a step. */
        public int cells() {
            return rows * length;
        }
    }

    /**
     * Forward, one step: gates into {@code act[a0...]} (z's layout), the cell into {@code c[c0...]}
     * from the previous one at {@code c[cPrev0...]}, tanh(cell) into {@code tc[tc0...]}, the output into {@code h[0...]}.
     */
    public static void forward(Layout l, float[] z, float[] act, int a0, float[] c, int cPrev0, int c0, float[] tc, int tc0, float[] h) {
        int len = l.length, step = F.length(), bound = F.loopBound(len);
        for (int r = 0; r < l.rows; r++) {
            int zr = r * l.rowStride, zi = zr + l.offI, zf = zr + l.offF, zg = zr + l.offG, zo = zr + l.offO, cr = r * len;
            int j = 0;
            for (; j < bound; j += step) {
                FloatVector i = sigmoid(FloatVector.fromArray(F, z, zi + j)), f = sigmoid(FloatVector.fromArray(F, z, zf + j));
                FloatVector g = FloatVector.fromArray(F, z, zg + j).lanewise(VectorOperators.TANH), o = sigmoid(FloatVector.fromArray(F, z, zo + j));
                i.intoArray(act, a0 + zi + j);
                f.intoArray(act, a0 + zf + j);
                g.intoArray(act, a0 + zg + j);
                o.intoArray(act, a0 + zo + j);
                FloatVector cell = f.mul(FloatVector.fromArray(F, c, cPrev0 + cr + j)).add(i.mul(g));
                FloatVector t = cell.lanewise(VectorOperators.TANH);
                cell.intoArray(c, c0 + cr + j);
                t.intoArray(tc, tc0 + cr + j);
                o.mul(t).intoArray(h, cr + j);
            }
            for (; j < len; j++) {
                float i = sigmoid(z[zi + j]), f = sigmoid(z[zf + j]), g = (float) Math.tanh(z[zg + j]), o = sigmoid(z[zo + j]);
                act[a0 + zi + j] = i;
                act[a0 + zf + j] = f;
                act[a0 + zg + j] = g;
                act[a0 + zo + j] = o;
                float cell = f * c[cPrev0 + cr + j] + i * g, t = (float) Math.tanh(cell);
                c[c0 + cr + j] = cell;
                tc[tc0 + cr + j] = t;
                h[cr + j] = o * t;
            }
        }
    }

    /**
     * Backward, one step: from the output's gradient {@code dOut[d0...]} (plus {@code dhNext} and
     * {@code dcNext} from the step after, unless {@code last}), the gates {@code act[a0...]}, the
     * previous cell {@code c[cPrev0...]}, tanh(cell) {@code tc[tc0...]} and the tanh(cell) its
     * derivative is taken at {@code tcD[tcD0...]} (the same, but where DL4J masks the cell), writes
     * the pre-activations' gradient into {@code dz} (z's layout) and the cell gradient for the step
     * before into {@code dcNext}.
     */
    public static void backward(Layout l, boolean last, float[] dOut, int d0, float[] dhNext, float[] act, int a0, float[] c, int cPrev0,
                                float[] tc, int tc0, float[] tcD, int tcD0, float[] dcNext, float[] dz) {
        int len = l.length, step = F.length(), bound = F.loopBound(len);
        for (int r = 0; r < l.rows; r++) {
            int zr = r * l.rowStride, zi = zr + l.offI, zf = zr + l.offF, zg = zr + l.offG, zo = zr + l.offO, cr = r * len;
            int j = 0;
            for (; j < bound; j += step) {
                FloatVector dh = FloatVector.fromArray(F, dOut, d0 + cr + j);
                if (!last) dh = dh.add(FloatVector.fromArray(F, dhNext, cr + j));
                FloatVector i = FloatVector.fromArray(F, act, a0 + zi + j), f = FloatVector.fromArray(F, act, a0 + zf + j);
                FloatVector g = FloatVector.fromArray(F, act, a0 + zg + j), o = FloatVector.fromArray(F, act, a0 + zo + j);
                FloatVector t = FloatVector.fromArray(F, tc, tc0 + cr + j), td = FloatVector.fromArray(F, tcD, tcD0 + cr + j);
                FloatVector dc = dh.mul(o).mul(td.mul(td).neg().add(1f));
                if (!last) dc = dc.add(FloatVector.fromArray(F, dcNext, cr + j));
                dc.mul(g).mul(i).mul(i.neg().add(1f)).intoArray(dz, zi + j);
                dc.mul(FloatVector.fromArray(F, c, cPrev0 + cr + j)).mul(f).mul(f.neg().add(1f)).intoArray(dz, zf + j);
                dc.mul(i).mul(g.mul(g).neg().add(1f)).intoArray(dz, zg + j);
                dh.mul(t).mul(o).mul(o.neg().add(1f)).intoArray(dz, zo + j);
                dc.mul(f).intoArray(dcNext, cr + j);
            }
            for (; j < len; j++) {
                float dh = dOut[d0 + cr + j] + (last ? 0 : dhNext[cr + j]);
                float i = act[a0 + zi + j], f = act[a0 + zf + j], g = act[a0 + zg + j], o = act[a0 + zo + j];
                float t = tc[tc0 + cr + j], td = tcD[tcD0 + cr + j];
                float dc = dh * o * (1 - td * td) + (last ? 0 : dcNext[cr + j]);
                dz[zi + j] = dc * g * i * (1 - i);
                dz[zf + j] = dc * c[cPrev0 + cr + j] * f * (1 - f);
                dz[zg + j] = dc * i * (1 - g * g);
                dz[zo + j] = dh * t * o * (1 - o);
                dcNext[cr + j] = dc * f;
            }
        }
    }

    /** {@link #forward(Layout, float[], float[], int, float[], int, int, float[], int, float[])} in double precision. */
    public static void forward(Layout l, double[] z, double[] act, int a0, double[] c, int cPrev0, int c0, double[] tc, int tc0, double[] h) {
        int len = l.length, step = D.length(), bound = D.loopBound(len);
        for (int r = 0; r < l.rows; r++) {
            int zr = r * l.rowStride, zi = zr + l.offI, zf = zr + l.offF, zg = zr + l.offG, zo = zr + l.offO, cr = r * len;
            int j = 0;
            for (; j < bound; j += step) {
                DoubleVector i = sigmoid(DoubleVector.fromArray(D, z, zi + j)), f = sigmoid(DoubleVector.fromArray(D, z, zf + j));
                DoubleVector g = DoubleVector.fromArray(D, z, zg + j).lanewise(VectorOperators.TANH), o = sigmoid(DoubleVector.fromArray(D, z, zo + j));
                i.intoArray(act, a0 + zi + j);
                f.intoArray(act, a0 + zf + j);
                g.intoArray(act, a0 + zg + j);
                o.intoArray(act, a0 + zo + j);
                DoubleVector cell = f.mul(DoubleVector.fromArray(D, c, cPrev0 + cr + j)).add(i.mul(g));
                DoubleVector t = cell.lanewise(VectorOperators.TANH);
                cell.intoArray(c, c0 + cr + j);
                t.intoArray(tc, tc0 + cr + j);
                o.mul(t).intoArray(h, cr + j);
            }
            for (; j < len; j++) {
                double i = sigmoid(z[zi + j]), f = sigmoid(z[zf + j]), g = Math.tanh(z[zg + j]), o = sigmoid(z[zo + j]);
                act[a0 + zi + j] = i;
                act[a0 + zf + j] = f;
                act[a0 + zg + j] = g;
                act[a0 + zo + j] = o;
                double cell = f * c[cPrev0 + cr + j] + i * g, t = Math.tanh(cell);
                c[c0 + cr + j] = cell;
                tc[tc0 + cr + j] = t;
                h[cr + j] = o * t;
            }
        }
    }

    /** {@link #backward(Layout, boolean, float[], int, float[], float[], int, float[], int, float[], int, float[], int, float[], float[])} in double precision. */
    public static void backward(Layout l, boolean last, double[] dOut, int d0, double[] dhNext, double[] act, int a0, double[] c, int cPrev0,
                                double[] tc, int tc0, double[] tcD, int tcD0, double[] dcNext, double[] dz) {
        int len = l.length, step = D.length(), bound = D.loopBound(len);
        for (int r = 0; r < l.rows; r++) {
            int zr = r * l.rowStride, zi = zr + l.offI, zf = zr + l.offF, zg = zr + l.offG, zo = zr + l.offO, cr = r * len;
            int j = 0;
            for (; j < bound; j += step) {
                DoubleVector dh = DoubleVector.fromArray(D, dOut, d0 + cr + j);
                if (!last) dh = dh.add(DoubleVector.fromArray(D, dhNext, cr + j));
                DoubleVector i = DoubleVector.fromArray(D, act, a0 + zi + j), f = DoubleVector.fromArray(D, act, a0 + zf + j);
                DoubleVector g = DoubleVector.fromArray(D, act, a0 + zg + j), o = DoubleVector.fromArray(D, act, a0 + zo + j);
                DoubleVector t = DoubleVector.fromArray(D, tc, tc0 + cr + j), td = DoubleVector.fromArray(D, tcD, tcD0 + cr + j);
                DoubleVector dc = dh.mul(o).mul(td.mul(td).neg().add(1d));
                if (!last) dc = dc.add(DoubleVector.fromArray(D, dcNext, cr + j));
                dc.mul(g).mul(i).mul(i.neg().add(1d)).intoArray(dz, zi + j);
                dc.mul(DoubleVector.fromArray(D, c, cPrev0 + cr + j)).mul(f).mul(f.neg().add(1d)).intoArray(dz, zf + j);
                dc.mul(i).mul(g.mul(g).neg().add(1d)).intoArray(dz, zg + j);
                dh.mul(t).mul(o).mul(o.neg().add(1d)).intoArray(dz, zo + j);
                dc.mul(f).intoArray(dcNext, cr + j);
            }
            for (; j < len; j++) {
                double dh = dOut[d0 + cr + j] + (last ? 0 : dhNext[cr + j]);
                double i = act[a0 + zi + j], f = act[a0 + zf + j], g = act[a0 + zg + j], o = act[a0 + zo + j];
                double t = tc[tc0 + cr + j], td = tcD[tcD0 + cr + j];
                double dc = dh * o * (1 - td * td) + (last ? 0 : dcNext[cr + j]);
                dz[zi + j] = dc * g * i * (1 - i);
                dz[zf + j] = dc * c[cPrev0 + cr + j] * f * (1 - f);
                dz[zg + j] = dc * i * (1 - g * g);
                dz[zo + j] = dh * t * o * (1 - o);
                dcNext[cr + j] = dc * f;
            }
        }
    }

    // σ(x) = 1 / (1 + e^-x)
    private static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(F, 1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    private static DoubleVector sigmoid(DoubleVector x) {
        return DoubleVector.broadcast(D, 1d).div(x.neg().lanewise(VectorOperators.EXP).add(1d));
    }

    private static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
