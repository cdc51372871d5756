package org.seqlab.optim;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** exp, σ and tanh: accurate, the same in a vector lane as in the scalar twin, and the same before and after the JIT compiles them. */
class VectorMathTest {
    private static final int N = 4096;

    private static double[] inputs() {
        SplittableRandom r = new SplittableRandom(7);
        double[] x = new double[N];
        for (int i = 0; i < N; i++) x[i] = i < 16 ? new double[]{0, 1e-9, -1e-9, 1e-3, -90, 90, -800, 800, 88, -87, 709, -708, 20, -20, 0.5, -0.5}[i]
                : (r.nextDouble() * 2 - 1) * (i % 3 == 0 ? 100 : 10);
        return x;
    }

    @Test
    void accurateAgainstTheJdksMath() {
        for (double x : inputs()) {
            double e = Math.exp(x);
            if (x >= -708.3 && x <= 709) assertEquals(e, VectorMath.exp(x), 4e-16 * e, "double exp " + x);
            if (x >= -87.3 && x <= 88) assertEquals(Math.exp((float) x), VectorMath.exp((float) x), 3e-7 * Math.exp((float) x), "float exp " + x);
            assertEquals(Math.tanh(x), VectorMath.tanh(x), 1e-15, "double tanh " + x);
            assertEquals(Math.tanh(x), VectorMath.tanh((float) x), 2e-7, "float tanh " + x);
            assertEquals(1 / (1 + Math.exp(-x)), VectorMath.sigmoid(x), 1e-15, "double sigmoid " + x);
            assertEquals(1 / (1 + Math.exp(-(float) x)), VectorMath.sigmoid((float) x), 2e-7, "float sigmoid " + x);
        }
        assertEquals(0.0, VectorMath.exp(-1e9));
        assertEquals(0.0f, VectorMath.exp(-1e9f));
    }

    @Test
    void everyLaneEqualsTheScalarTwinBeforeAndAfterCompilation() {
        double[] x = inputs();
        float[] xf = new float[N];
        for (int i = 0; i < N; i++) xf[i] = (float) x[i];
        double[] first = vectorD(x);
        float[] firstF = vectorF(xf);
        for (int i = 0; i < N; i++) {
            assertEquals(Double.doubleToLongBits(VectorMath.tanh(x[i])), Double.doubleToLongBits(first[i]), "double lane " + i);
            assertEquals(Float.floatToIntBits(VectorMath.tanh(xf[i])), Float.floatToIntBits(firstF[i]), "float lane " + i);
        }
        for (int k = 0; k < 3000; k++) {                      // long enough for C2 to compile the vector code
            vectorD(x);
            vectorF(xf);
        }
        assertArrayEquals(first, vectorD(x), "the same bits once compiled");
        assertArrayEquals(firstF, vectorF(xf), "the same bits once compiled");
    }

    private static double[] vectorD(double[] x) {
        double[] out = new double[N];
        for (int i = 0; i < N; i += DoubleVector.SPECIES_PREFERRED.length())
            VectorMath.tanh(DoubleVector.fromArray(DoubleVector.SPECIES_PREFERRED, x, i)).intoArray(out, i);
        return out;
    }

    private static float[] vectorF(float[] x) {
        float[] out = new float[N];
        for (int i = 0; i < N; i += FloatVector.SPECIES_PREFERRED.length())
            VectorMath.tanh(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i)).intoArray(out, i);
        return out;
    }
}
