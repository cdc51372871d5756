package org.seqlab.optim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused LSTM kernels against the equations written out element by element in double
 * precision, in both layouts the families use, at widths that leave a tail after the vector loop.
 */
class LstmKernelTest {
    @Test
    void theTestsRunTheKernels() {
        assertTrue(FusedKernels.enabled(), "the test JVM has --add-modules jdk.incubator.vector (surefire's argLine)");
    }

    /** rows, length: a row-major step of {@code rows} batch rows of {@code length} units, or a feature-major one (rows 1). */
    @ParameterizedTest(name = "{0} layout, {1}x{2}")
    @CsvSource({"row,3,21", "row,2,64", "feature,1,77", "feature,1,32"})
    void forwardAndBackwardFollowTheEquations(String kind, int rows, int length) {
        LstmKernel.Layout l = kind.equals("row")
                ? new LstmKernel.Layout(rows, length, 4 * length, 0, length, 2 * length, 3 * length)
                : new LstmKernel.Layout(1, length, 0, 3 * length, length, 0, 2 * length);
        SplittableRandom r = new SplittableRandom(length);
        int size = l.size(), cells = l.cells();
        double[] z = random(r, size, 4), cPrev = random(r, cells, 2), dOut = random(r, cells, 1), dhNext = random(r, cells, 1),
                dcNext = random(r, cells, 1);

        // the reference, one element at a time
        double[] act = new double[size], c = new double[cells], tc = new double[cells], h = new double[cells], dz = new double[size], dcPrev = new double[cells];
        for (int row = 0; row < l.rows(); row++)
            for (int j = 0; j < length; j++) {
                int e = row * length + j, zr = row * l.rowStride() + j;
                int zi = zr + l.offI(), zf = zr + l.offF(), zg = zr + l.offG(), zo = zr + l.offO();
                double i = 1 / (1 + Math.exp(-z[zi])), f = 1 / (1 + Math.exp(-z[zf])), g = Math.tanh(z[zg]), o = 1 / (1 + Math.exp(-z[zo]));
                act[zi] = i; act[zf] = f; act[zg] = g; act[zo] = o;
                c[e] = f * cPrev[e] + i * g;
                tc[e] = Math.tanh(c[e]);
                h[e] = o * tc[e];
                double dh = dOut[e] + dhNext[e], dc = dh * o * (1 - tc[e] * tc[e]) + dcNext[e];
                dz[zi] = dc * g * i * (1 - i);
                dz[zf] = dc * cPrev[e] * f * (1 - f);
                dz[zg] = dc * i * (1 - g * g);
                dz[zo] = dh * tc[e] * o * (1 - o);
                dcPrev[e] = dc * f;
            }

        // double: step 1 of a two-step pass, so that every offset is used
        double[] actD = new double[2 * size], cD = new double[3 * cells], tcD = new double[2 * cells], hD = new double[cells];
        System.arraycopy(cPrev, 0, cD, cells, cells);
        LstmKernel.forward(l, z, actD, size, cD, cells, 2 * cells, tcD, cells, hD);
        assertClose(act, slice(actD, size, size), 1e-14, "gates");
        assertClose(c, slice(cD, 2 * cells, cells), 1e-14, "cell");
        assertClose(tc, slice(tcD, cells, cells), 1e-14, "tanh(cell)");
        assertClose(h, hD, 1e-14, "output");
        double[] dOutD = new double[2 * cells], dzD = new double[size], dcD = dcNext.clone();
        System.arraycopy(dOut, 0, dOutD, cells, cells);
        LstmKernel.backward(l, false, dOutD, cells, dhNext, actD, size, cD, cells, tcD, cells, tcD, cells, dcD, dzD);
        assertClose(dz, dzD, 1e-14, "pre-activation gradient");
        assertClose(dcPrev, dcD, 1e-14, "cell gradient for the step before");

        // the last step of a sweep takes nothing from a step after it
        LstmKernel.backward(l, true, dOutD, cells, random(r, cells, 100), actD, size, cD, cells, tcD, cells, tcD, cells, random(r, cells, 100), dzD);
        for (int row = 0; row < l.rows(); row++)
            for (int j = 0; j < length; j++) {
                int e = row * length + j, zo = row * l.rowStride() + j + l.offO();
                assertEquals(dOut[e] * tc[e] * act[zo] * (1 - act[zo]), dzD[zo], 1e-14);
            }

        // float: the same within float rounding
        float[] actF = new float[size], cF = new float[2 * cells], tcF = new float[cells], hF = new float[cells];
        float[] zF = toFloat(z), cPrevF = toFloat(cPrev);
        System.arraycopy(cPrevF, 0, cF, 0, cells);
        LstmKernel.forward(l, zF, actF, 0, cF, 0, cells, tcF, 0, hF);
        assertClose(act, toDouble(actF), 1e-6, "float gates");
        assertClose(h, toDouble(hF), 1e-6, "float output");
        float[] dzF = new float[size], dcF = toFloat(dcNext);
        LstmKernel.backward(l, false, toFloat(dOut), 0, toFloat(dhNext), actF, 0, cF, 0, tcF, 0, tcF, 0, dcF, dzF);
        assertClose(dz, toDouble(dzF), 1e-5, "float pre-activation gradient");
        assertClose(dcPrev, toDouble(dcF), 1e-5, "float cell gradient");
    }

    private static double[] random(SplittableRandom r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (r.nextDouble() * 2 - 1) * scale;
        return a;
    }

    private static double[] slice(double[] a, int from, int n) {
        return java.util.Arrays.copyOfRange(a, from, from + n);
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static void assertClose(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), what + " at " + i);
    }
}
