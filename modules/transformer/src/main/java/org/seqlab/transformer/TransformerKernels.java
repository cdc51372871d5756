package org.seqlab.transformer;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.optim.NativeSlices;
import org.seqlab.optim.VectorMath;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fused engine's element-wise work in one pass each, with the JDK's Vector API reading and
 * writing ND4J's own memory (no copies): GELU and its derivative, LayerNorm forward and backward
 * over each row, the attention softmax with its bias, and the attention softmax's backward. ND4J
 * takes 3 to 9 ops for each of these, and its sigmoid alone on a [768, 512] array took 2-4 ms
 * here, where the fused GELU takes 0.3-0.7 ms. Arrays are the engine's own buffers: contiguous,
 * c-ordered, float or double; parameters (LayerNorm's gain and bias) come in as Java arrays.
 * Used when {@link org.seqlab.optim.FusedKernels#enabled()} says the Vector API is there.
 */
final class TransformerKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private static volatile boolean warm;

    private TransformerKernels() {}

    /**
     * Calls every float kernel a few thousand times on small arrays, once per JVM. Only C2 turns
     * the Vector API into vector instructions, and it compiles a method after some 600 calls; the
     * engine calls each kernel 4 to 9 times a step, so each ran boxed (tens of times slower) for
     * the first 3 to 5 s of training: about a tenth of a 30-s bench here. Here they reach C2 in
     * a fraction of a second (the arrays are small, so the calls are cheap even before).
     */
    static void warmUp() {
        if (warm) return;
        synchronized (TransformerKernels.class) {
            if (warm) return;
            int rows = 8, d = 64, len = 8;
            INDArray a = Nd4j.rand(DataType.FLOAT, rows, d), b = Nd4j.rand(DataType.FLOAT, rows, d), c = Nd4j.rand(DataType.FLOAT, rows, d);
            INDArray e = Nd4j.rand(DataType.FLOAT, rows, d), r = Nd4j.rand(DataType.FLOAT, rows, 1);
            INDArray g = Nd4j.rand(DataType.FLOAT, 1, d), gb = Nd4j.rand(DataType.FLOAT, 1, d), gg = Nd4j.zeros(DataType.FLOAT, 1, d), bg = Nd4j.zeros(DataType.FLOAT, 1, d);
            INDArray p = Nd4j.rand(DataType.FLOAT, 2 * len, len), dp = Nd4j.rand(DataType.FLOAT, 2 * len, len);
            INDArray y = Nd4j.rand(DataType.FLOAT, 2 * len, d), dy = Nd4j.rand(DataType.FLOAT, 2 * len, d);
            float[] bias = new float[len * len];
            for (int k = 0; k < 3000; k++) {
                geluForward(a, b, c, 1.702);
                geluBackward(e, b, c, 1.702);
                layerNorm(a, g, gb, b, r, c, 1e-5);
                layerNormBackward(e, g, b, r, gg, bg, c);
                softmaxCausal(p, bias, 1, len, false);
                softmaxBackward(dp, p, dy, y, len, d);
            }
            warm = true;
        }
    }

    private static ByteBuffer bytes(INDArray a) {
        return NativeSlices.direct(a);
    }

    private static boolean single(INDArray a) {
        if (a.dataType() == DataType.FLOAT) return true;
        if (a.dataType() == DataType.DOUBLE) return false;
        throw new IllegalArgumentException("float or double, not " + a.dataType());
    }

    // ---- GELU, x·σ(1.702x) ----

    /** sig = σ(c·u), g = u·sig. */
    static void geluForward(INDArray u, INDArray sig, INDArray g, double c) {
        ByteBuffer ub = bytes(u), sb = bytes(sig), gb = bytes(g);
        int n = (int) u.length(), i = 0;
        if (single(u)) {
            float k = (float) -c;
            for (int up = F.loopBound(n); i < up; i += F.length()) {
                FloatVector x = FloatVector.fromByteBuffer(F, ub, 4 * i, ORDER);
                FloatVector s = FloatVector.broadcast(F, 1f).div(VectorMath.exp(x.mul(k)).add(1f));
                s.intoByteBuffer(sb, 4 * i, ORDER);
                x.mul(s).intoByteBuffer(gb, 4 * i, ORDER);
            }
            for (; i < n; i++) {
                float x = ub.getFloat(4 * i), s = 1f / (VectorMath.exp(x * k) + 1f);
                sb.putFloat(4 * i, s);
                gb.putFloat(4 * i, x * s);
            }
        } else {
            for (int up = D.loopBound(n); i < up; i += D.length()) {
                DoubleVector x = DoubleVector.fromByteBuffer(D, ub, 8 * i, ORDER);
                DoubleVector s = DoubleVector.broadcast(D, 1d).div(VectorMath.exp(x.mul(-c)).add(1d));
                s.intoByteBuffer(sb, 8 * i, ORDER);
                x.mul(s).intoByteBuffer(gb, 8 * i, ORDER);
            }
            for (; i < n; i++) {
                double x = ub.getDouble(8 * i), s = 1d / (VectorMath.exp(x * -c) + 1d);
                sb.putDouble(8 * i, s);
                gb.putDouble(8 * i, x * s);
            }
        }
    }

    /** dU ← dU ⊙ (σ + c·g·(1 − σ)), the derivative of u·σ(c·u) with g = u·σ. */
    static void geluBackward(INDArray dU, INDArray sig, INDArray g, double c) {
        ByteBuffer db = bytes(dU), sb = bytes(sig), gb = bytes(g);
        int n = (int) dU.length(), i = 0;
        if (single(dU)) {
            float k = (float) c;
            for (int up = F.loopBound(n); i < up; i += F.length()) {
                FloatVector s = FloatVector.fromByteBuffer(F, sb, 4 * i, ORDER), gv = FloatVector.fromByteBuffer(F, gb, 4 * i, ORDER);
                FloatVector d = gv.sub(gv.mul(s)).mul(k).add(s);
                FloatVector.fromByteBuffer(F, db, 4 * i, ORDER).mul(d).intoByteBuffer(db, 4 * i, ORDER);
            }
            for (; i < n; i++) {
                float s = sb.getFloat(4 * i), gv = gb.getFloat(4 * i);
                db.putFloat(4 * i, db.getFloat(4 * i) * ((gv - gv * s) * k + s));
            }
        } else {
            for (int up = D.loopBound(n); i < up; i += D.length()) {
                DoubleVector s = DoubleVector.fromByteBuffer(D, sb, 8 * i, ORDER), gv = DoubleVector.fromByteBuffer(D, gb, 8 * i, ORDER);
                DoubleVector d = gv.sub(gv.mul(s)).mul(c).add(s);
                DoubleVector.fromByteBuffer(D, db, 8 * i, ORDER).mul(d).intoByteBuffer(db, 8 * i, ORDER);
            }
            for (; i < n; i++) {
                double s = sb.getDouble(8 * i), gv = gb.getDouble(8 * i);
                db.putDouble(8 * i, db.getDouble(8 * i) * ((gv - gv * s) * c + s));
            }
        }
    }

    // ---- LayerNorm over each row of width d ----

    /**
     * x̂ = (in − mean)·rstd, rstd = 1/√(var + eps) per row, out = x̂·gain + bias; gain and bias are
     * [1, d] rows (the model's own weights, read in place).
     */
    static void layerNorm(INDArray in, INDArray gain, INDArray bias, INDArray xhat, INDArray rstd, INDArray out, double eps) {
        ByteBuffer ib = bytes(in), gb = bytes(gain), bb = bytes(bias), xb = bytes(xhat), rb = bytes(rstd), ob = bytes(out);
        int d = (int) gain.length(), rows = (int) (in.length() / d);
        if (single(in)) {
            float[] g = new float[d], b = new float[d], lanes = new float[F.length()];
            gb.asFloatBuffer().get(g);
            bb.asFloatBuffer().get(b);
            int up = F.loopBound(d);
            for (int r = 0; r < rows; r++) {
                int o = 4 * r * d, j = 0;
                FloatVector acc = FloatVector.zero(F);
                for (; j < up; j += F.length()) acc = acc.add(FloatVector.fromByteBuffer(F, ib, o + 4 * j, ORDER));
                float sum = inOrder(acc, lanes);
                for (; j < d; j++) sum += ib.getFloat(o + 4 * j);
                float mean = sum / d;
                acc = FloatVector.zero(F);
                for (j = 0; j < up; j += F.length()) {
                    FloatVector x = FloatVector.fromByteBuffer(F, ib, o + 4 * j, ORDER).sub(mean);
                    acc = x.fma(x, acc);
                }
                float ss = inOrder(acc, lanes);
                for (; j < d; j++) {
                    float x = ib.getFloat(o + 4 * j) - mean;
                    ss += x * x;
                }
                float rs = (float) (1 / Math.sqrt(ss / d + eps));
                rb.putFloat(4 * r, rs);
                for (j = 0; j < up; j += F.length()) {
                    FloatVector xh = FloatVector.fromByteBuffer(F, ib, o + 4 * j, ORDER).sub(mean).mul(rs);
                    xh.intoByteBuffer(xb, o + 4 * j, ORDER);
                    xh.fma(FloatVector.fromArray(F, g, j), FloatVector.fromArray(F, b, j)).intoByteBuffer(ob, o + 4 * j, ORDER);
                }
                for (; j < d; j++) {
                    float xh = (ib.getFloat(o + 4 * j) - mean) * rs;
                    xb.putFloat(o + 4 * j, xh);
                    ob.putFloat(o + 4 * j, Math.fma(xh, g[j], b[j]));
                }
            }
            return;
        }
        double[] g = new double[d], b = new double[d];
        gb.asDoubleBuffer().get(g);
        bb.asDoubleBuffer().get(b);
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            double sum = 0;
            for (int j = 0; j < d; j++) sum += ib.getDouble(8 * (o + j));
            double mean = sum / d, ss = 0;
            for (int j = 0; j < d; j++) {
                double x = ib.getDouble(8 * (o + j)) - mean;
                ss += x * x;
            }
            double rs = 1 / Math.sqrt(ss / d + eps);
            rb.putDouble(8 * r, rs);
            for (int j = 0; j < d; j++) {
                int at = 8 * (o + j);
                double xh = (ib.getDouble(at) - mean) * rs;
                xb.putDouble(at, xh);
                ob.putDouble(at, xh * g[j] + b[j]);
            }
        }
    }

    /**
     * LayerNorm backward: adds Σ dy·x̂ and Σ dy over rows into {@code gainGrad} and {@code biasGrad}
     * ([1, d] rows of the model's gradient, accumulated in place), and dx = rstd·(dy·g − mean(dy·g)
     * − x̂·mean(dy·g·x̂)) into {@code dIn}.
     */
    static void layerNormBackward(INDArray dy, INDArray gain, INDArray xhat, INDArray rstd, INDArray gainGrad, INDArray biasGrad, INDArray dIn) {
        ByteBuffer yb = bytes(dy), gb = bytes(gain), xb = bytes(xhat), rb = bytes(rstd), ib = bytes(dIn);
        ByteBuffer ggb = bytes(gainGrad), bgb = bytes(biasGrad);
        int d = (int) gain.length(), rows = (int) (dy.length() / d);
        if (single(dy)) {
            float[] g = new float[d], gg = new float[d], bg = new float[d], lanes = new float[F.length()];
            gb.asFloatBuffer().get(g);
            int up = F.loopBound(d);
            for (int r = 0; r < rows; r++) {
                int o = 4 * r * d, j = 0;
                FloatVector a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
                for (; j < up; j += F.length()) {
                    FloatVector y = FloatVector.fromByteBuffer(F, yb, o + 4 * j, ORDER), xh = FloatVector.fromByteBuffer(F, xb, o + 4 * j, ORDER);
                    FloatVector yg = y.mul(FloatVector.fromArray(F, g, j));
                    y.fma(xh, FloatVector.fromArray(F, gg, j)).intoArray(gg, j);
                    y.add(FloatVector.fromArray(F, bg, j)).intoArray(bg, j);
                    a1 = a1.add(yg);
                    a2 = yg.fma(xh, a2);
                }
                float s1 = inOrder(a1, lanes), s2 = inOrder(a2, lanes);
                for (; j < d; j++) {
                    float y = yb.getFloat(o + 4 * j), xh = xb.getFloat(o + 4 * j);
                    gg[j] += y * xh;
                    bg[j] += y;
                    s1 += y * g[j];
                    s2 += y * g[j] * xh;
                }
                float m1 = s1 / d, m2 = s2 / d, rs = rb.getFloat(4 * r);
                for (j = 0; j < up; j += F.length()) {
                    FloatVector y = FloatVector.fromByteBuffer(F, yb, o + 4 * j, ORDER), xh = FloatVector.fromByteBuffer(F, xb, o + 4 * j, ORDER);
                    FloatVector dx = y.mul(FloatVector.fromArray(F, g, j)).sub(m1).sub(xh.mul(m2)).mul(rs);
                    FloatVector.fromByteBuffer(F, ib, o + 4 * j, ORDER).add(dx).intoByteBuffer(ib, o + 4 * j, ORDER);
                }
                for (; j < d; j++)
                    ib.putFloat(o + 4 * j, ib.getFloat(o + 4 * j) + rs * (yb.getFloat(o + 4 * j) * g[j] - m1 - xb.getFloat(o + 4 * j) * m2));
            }
            for (int j = 0; j < d; j++) {
                ggb.putFloat(4 * j, ggb.getFloat(4 * j) + gg[j]);
                bgb.putFloat(4 * j, bgb.getFloat(4 * j) + bg[j]);
            }
            return;
        }
        double[] g = new double[d], gg = new double[d], bg = new double[d];
        gb.asDoubleBuffer().get(g);
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            double s1 = 0, s2 = 0;
            for (int j = 0; j < d; j++) {
                int at = 8 * (o + j);
                double y = yb.getDouble(at), xh = xb.getDouble(at);
                gg[j] += y * xh;
                bg[j] += y;
                s1 += y * g[j];
                s2 += y * g[j] * xh;
            }
            double m1 = s1 / d, m2 = s2 / d, rs = rb.getDouble(8 * r);
            for (int j = 0; j < d; j++) {
                int at = 8 * (o + j);
                ib.putDouble(at, ib.getDouble(at) + rs * (yb.getDouble(at) * g[j] - m1 - xb.getDouble(at) * m2));
            }
        }
        for (int j = 0; j < d; j++) {
            ggb.putDouble(8 * j, ggb.getDouble(8 * j) + gg[j]);
            bgb.putDouble(8 * j, bgb.getDouble(8 * j) + bg[j]);
        }
    }

    /** The lanes' sum in lane order: the same float whether the JIT compiled the loop or not. */
    private static float inOrder(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0;
        for (float x : lanes) s += x;
        return s;
    }

    // ---- attention: causal, so row i of a [len, len] block reads and writes columns 0..i only ----

    /**
     * p ← softmax(p + bias) over the last axis of p [rows·heads, len, len], with bias [1, 1 or
     * heads, len, len] (ALiBi where used; zeros otherwise) as a Java array. The attention is causal:
     * row i's columns above i are set to zero (what exp(−1e9) gives) and never computed.
     */
    static void softmaxCausal(INDArray p, float[] bias, int heads, int len, boolean biasPerHead) {
        ByteBuffer pb = bytes(p);
        int rows = (int) (p.length() / len);
        float[] x = new float[len];
        for (int r = 0; r < rows; r++) {
            int o = 4 * r * len, i = r % len, n = i + 1, bo = (biasPerHead ? (r / len) % heads * len * len : 0) + i * len;
            int up = F.loopBound(n), j = 0;
            FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; j < up; j += F.length()) {
                FloatVector v = FloatVector.fromByteBuffer(F, pb, o + 4 * j, ORDER).add(FloatVector.fromArray(F, bias, bo + j));
                v.intoArray(x, j);
                mx = mx.max(v);
            }
            float max = mx.reduceLanes(jdk.incubator.vector.VectorOperators.MAX);     // max is exact in any order
            for (; j < n; j++) {
                x[j] = pb.getFloat(o + 4 * j) + bias[bo + j];
                max = Math.max(max, x[j]);
            }
            for (j = 0; j < up; j += F.length()) VectorMath.exp(FloatVector.fromArray(F, x, j).sub(max)).intoArray(x, j);
            for (; j < n; j++) x[j] = VectorMath.exp(x[j] - max);
            float sum = 0;
            for (j = 0; j < n; j++) sum += x[j];                 // in order: the same sum whatever the JIT did
            float inv = 1 / sum;
            for (j = 0; j < up; j += F.length()) FloatVector.fromArray(F, x, j).mul(inv).intoByteBuffer(pb, o + 4 * j, ORDER);
            for (; j < n; j++) pb.putFloat(o + 4 * j, x[j] * inv);
            for (; j < len; j++) pb.putFloat(o + 4 * j, 0f);
        }
    }

    /** {@link #softmaxCausal(INDArray, float[], int, int, boolean)} in double precision. */
    static void softmaxCausal(INDArray p, double[] bias, int heads, int len, boolean biasPerHead) {
        ByteBuffer pb = bytes(p);
        int rows = (int) (p.length() / len);
        double[] x = new double[len];
        for (int r = 0; r < rows; r++) {
            int o = 8 * r * len, i = r % len, n = i + 1, bo = (biasPerHead ? (r / len) % heads * len * len : 0) + i * len;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                x[j] = pb.getDouble(o + 8 * j) + bias[bo + j];
                max = Math.max(max, x[j]);
            }
            int up = D.loopBound(n), j = 0;
            for (; j < up; j += D.length()) VectorMath.exp(DoubleVector.fromArray(D, x, j).sub(max)).intoArray(x, j);
            for (; j < n; j++) x[j] = VectorMath.exp(x[j] - max);
            double sum = 0;
            for (j = 0; j < n; j++) sum += x[j];
            for (j = 0; j < n; j++) pb.putDouble(o + 8 * j, x[j] / sum);
            for (; j < len; j++) pb.putDouble(o + 8 * j, 0d);
        }
    }

    /**
     * The causal softmax's backward, as FlashAttention writes it: dP ← P ⊙ (dP − rowsum(dY ⊙ Y)) for
     * each row of dP and P [rows·heads·len, len] and of dY and Y [rows·heads·len, hd]; columns above
     * the diagonal, where P is zero, are set to zero.
     */
    static void softmaxBackward(INDArray dP, INDArray p, INDArray dY, INDArray y, int len, int hd) {
        ByteBuffer db = bytes(dP), pb = bytes(p), dyb = bytes(dY), yb = bytes(y);
        int rows = (int) (dP.length() / len);
        if (single(dP)) {
            float[] lanes = new float[F.length()];
            int hup = F.loopBound(hd);
            for (int r = 0; r < rows; r++) {
                int oy = 4 * r * hd, o = 4 * r * len, n = r % len + 1, k = 0, j = 0;
                FloatVector acc = FloatVector.zero(F);
                for (; k < hup; k += F.length())
                    acc = FloatVector.fromByteBuffer(F, dyb, oy + 4 * k, ORDER).fma(FloatVector.fromByteBuffer(F, yb, oy + 4 * k, ORDER), acc);
                float dot = inOrder(acc, lanes);
                for (; k < hd; k++) dot += dyb.getFloat(oy + 4 * k) * yb.getFloat(oy + 4 * k);
                for (int up = F.loopBound(n); j < up; j += F.length())
                    FloatVector.fromByteBuffer(F, db, o + 4 * j, ORDER).sub(dot).mul(FloatVector.fromByteBuffer(F, pb, o + 4 * j, ORDER))
                            .intoByteBuffer(db, o + 4 * j, ORDER);
                for (; j < n; j++) db.putFloat(o + 4 * j, (db.getFloat(o + 4 * j) - dot) * pb.getFloat(o + 4 * j));
                for (; j < len; j++) db.putFloat(o + 4 * j, 0f);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int n = r % len + 1;
            double dot = 0;
            for (int k = 0, o = r * hd; k < hd; k++) dot += dyb.getDouble(8 * (o + k)) * yb.getDouble(8 * (o + k));
            int j = 0;
            for (int o = r * len; j < n; j++) {
                int at = 8 * (o + j);
                db.putDouble(at, (db.getDouble(at) - dot) * pb.getDouble(at));
            }
            for (int o = r * len; j < len; j++) db.putDouble(8 * (o + j), 0d);
        }
    }
}
