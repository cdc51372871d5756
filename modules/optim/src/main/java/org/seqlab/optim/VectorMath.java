package org.seqlab.optim;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * exp, σ and tanh for the fused kernels, from additions, multiplications and one division only,
 * so that a result does not depend on how the JIT compiled the code: the Vector API's own
 * {@code EXP} and {@code TANH} call the JDK's vectorised math library once C2 compiles a kernel and
 * a Java fallback before, and the two differ in the last bit, which made two evaluations of the
 * same model in one JVM differ. Each function has a scalar twin of the same operations in the same
 * order (for the tail of a loop), so every element gets the same answer.
 * <p>
 * exp(x) = 2ⁿ·p(r), n = round(x·log₂e), r = x − n·ln2 (ln2 in two parts, Cephes' in float and fdlibm's in double, so that n·ln2_hi is exact), p a Taylor polynomial
 * (degree 7 in float, 13 in double: under one unit in the last place on |r| ≤ ln2/2); x below the
 * smallest normal result gives 0, above the largest is clamped (σ and tanh saturate there anyway).
 */
public final class VectorMath {
    private VectorMath() {}

    private static final float F_LOG2E = 1.44269504f, F_LN2_HI = 0.693359375f, F_LN2_LO = -2.12194440e-4f, F_MAGIC = 12582912f;   // 1.5·2²³
    private static final float F_MIN = -87.3f, F_MAX = 88f;
    private static final double D_LOG2E = 1.4426950408889634, D_LN2_HI = 0.6931471803691238, D_LN2_LO = 1.9082149292705877e-10,
            D_MAGIC = 6755399441055744.0;   // 1.5·2⁵²
    private static final double D_MIN = -708.3, D_MAX = 709;
    private static final int F_MAGIC_BITS = Float.floatToRawIntBits(F_MAGIC);
    private static final long D_MAGIC_BITS = Double.doubleToRawLongBits(D_MAGIC);
    /** 1/k! for k = 0..13, and the first eight in float. */
    private static final double[] INV_FACT = new double[14];
    private static final float[] F_C = new float[8];

    static {
        double f = 1;
        for (int k = 0; k < INV_FACT.length; k++) {
            if (k > 0) f *= k;
            INV_FACT[k] = 1 / f;
            if (k < F_C.length) F_C[k] = (float) INV_FACT[k];
        }
    }

    public static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.lt(F_MIN);
        x = x.min(F_MAX).max(F_MIN);
        FloatVector t = x.mul(F_LOG2E).add(F_MAGIC), n = t.sub(F_MAGIC);   // t's low bits hold n
        FloatVector r = x.sub(n.mul(F_LN2_HI)).sub(n.mul(F_LN2_LO));
        FloatVector p = r.mul(F_C[7]).add(F_C[6]);
        for (int k = 5; k >= 0; k--) p = p.mul(r).add(F_C[k]);
        IntVector bits = t.reinterpretAsInts().sub(F_MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats()).blend(0f, under);
    }

    public static float exp(float x) {
        if (x < F_MIN) return 0f;
        x = Math.max(Math.min(x, F_MAX), F_MIN);
        float t = x * F_LOG2E + F_MAGIC, n = t - F_MAGIC;
        float r = x - n * F_LN2_HI - n * F_LN2_LO;
        float p = r * F_C[7] + F_C[6];
        for (int k = 5; k >= 0; k--) p = p * r + F_C[k];
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (F_MAGIC_BITS - 127)) << 23);
    }

    public static DoubleVector exp(DoubleVector x) {
        VectorMask<Double> under = x.lt(D_MIN);
        x = x.min(D_MAX).max(D_MIN);
        DoubleVector t = x.mul(D_LOG2E).add(D_MAGIC), n = t.sub(D_MAGIC);
        DoubleVector r = x.sub(n.mul(D_LN2_HI)).sub(n.mul(D_LN2_LO));
        DoubleVector p = r.mul(INV_FACT[13]).add(INV_FACT[12]);
        for (int k = 11; k >= 0; k--) p = p.mul(r).add(INV_FACT[k]);
        LongVector bits = t.reinterpretAsLongs().sub(D_MAGIC_BITS - 1023).lanewise(VectorOperators.LSHL, 52);
        return p.mul(bits.reinterpretAsDoubles()).blend(0d, under);
    }

    public static double exp(double x) {
        if (x < D_MIN) return 0d;
        x = Math.max(Math.min(x, D_MAX), D_MIN);
        double t = x * D_LOG2E + D_MAGIC, n = t - D_MAGIC;
        double r = x - n * D_LN2_HI - n * D_LN2_LO;
        double p = r * INV_FACT[13] + INV_FACT[12];
        for (int k = 11; k >= 0; k--) p = p * r + INV_FACT[k];
        return p * Double.longBitsToDouble((Double.doubleToRawLongBits(t) - (D_MAGIC_BITS - 1023)) << 52);
    }

    /** σ(x) = 1 / (1 + e^−x). */
    public static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(x.species(), 1f).div(exp(x.neg()).add(1f));
    }

    public static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }

    public static DoubleVector sigmoid(DoubleVector x) {
        return DoubleVector.broadcast(x.species(), 1d).div(exp(x.neg()).add(1d));
    }

    public static double sigmoid(double x) {
        return 1d / (exp(-x) + 1d);
    }

    /** tanh(x) = 1 − 2 / (e^2x + 1). */
    public static FloatVector tanh(FloatVector x) {
        return FloatVector.broadcast(x.species(), 1f).sub(FloatVector.broadcast(x.species(), 2f).div(exp(x.add(x)).add(1f)));
    }

    public static float tanh(float x) {
        return 1f - 2f / (exp(x + x) + 1f);
    }

    public static DoubleVector tanh(DoubleVector x) {
        return DoubleVector.broadcast(x.species(), 1d).sub(DoubleVector.broadcast(x.species(), 2d).div(exp(x.add(x)).add(1d)));
    }

    public static double tanh(double x) {
        return 1d - 2d / (exp(x + x) + 1d);
    }
}
