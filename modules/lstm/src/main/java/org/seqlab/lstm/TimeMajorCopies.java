package org.seqlab.lstm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqlab.optim.NativeSlices;

/**
 * Copies between DL4J's recurrent arrays, [rows, features, steps] (in f order: [step][feature][row]
 * in memory), and the fused helper's time-major row buffers, c-order [steps, rows, features]: one
 * memcpy out, a transposition of each step's plane in Java, one memcpy in. ND4J's assign between
 * the two orders walks the strided side element by element; in a profile of bench lstm its
 * transpositions of the output, the incoming gradient and the input's gradient were a fifth of a
 * DL4J training step. An array that is not dense (a view DL4J made) goes through ND4J's assign.
 */
final class TimeMajorCopies {
    private float[] fromF, toF;
    private double[] fromD, toD;

    /** {@code dl4j} [rows, features, steps] into the c-order [steps, rows, features] array {@code timeMajor}. */
    void toTimeMajor(INDArray dl4j, INDArray timeMajor) {
        int rows = (int) dl4j.size(0), features = (int) dl4j.size(1), steps = (int) dl4j.size(2);
        if (inJava(dl4j, timeMajor)) transpose(dl4j, timeMajor, steps, features, rows);     // [T][F][R] -> [T][R][F]
        else timeMajor.assign(dl4j.permute(2, 0, 1));
    }

    /** The c-order [steps, rows, features] array {@code timeMajor} into {@code dl4j} [rows, features, steps]. */
    void toDl4j(INDArray timeMajor, INDArray dl4j) {
        int rows = (int) dl4j.size(0), features = (int) dl4j.size(1), steps = (int) dl4j.size(2);
        if (inJava(dl4j, timeMajor)) transpose(timeMajor, dl4j, steps, rows, features);     // [T][R][F] -> [T][F][R]
        else dl4j.assign(timeMajor.permute(1, 2, 0));
    }

    /** Whether both sides are dense in the orders the Java path assumes (DL4J's f, the buffer's c) and of one precision. */
    private static boolean inJava(INDArray dl4j, INDArray timeMajor) {
        return dl4j.ordering() == 'f' && NativeSlices.dense(dl4j) && timeMajor.ordering() == 'c' && NativeSlices.dense(timeMajor)
                && dl4j.dataType() == timeMajor.dataType();
    }

    /** The memory of {@code from}, {@code planes} planes of r × c, into the memory of {@code to} as planes of c × r. */
    private void transpose(INDArray from, INDArray to, int planes, int r, int c) {
        int n = planes * r * c;
        if (from.dataType() == DataType.FLOAT) {
            if (fromF == null || fromF.length < n) { fromF = new float[n]; toF = new float[n]; }
            NativeSlices.getDense(from, fromF, 0);
            transposePlanes(fromF, toF, planes, r, c);
            NativeSlices.putDense(toF, 0, to);
        } else {
            if (fromD == null || fromD.length < n) { fromD = new double[n]; toD = new double[n]; }
            NativeSlices.getDense(from, fromD, 0);
            transposePlanes(fromD, toD, planes, r, c);
            NativeSlices.putDense(toD, 0, to);
        }
    }

    /** {@code dst[p][c][r] = src[p][r][c]} for {@code planes} planes of {@code r × c}, in 8-row blocks so reads and writes both stay in cache lines. */
    static void transposePlanes(float[] src, float[] dst, int planes, int r, int c) {
        int plane = r * c;
        for (int p = 0; p < planes; p++) {
            int o = p * plane;
            for (int i0 = 0; i0 < r; i0 += 8) {
                int i1 = Math.min(r, i0 + 8);
                for (int j = 0; j < c; j++)
                    for (int i = i0; i < i1; i++) dst[o + j * r + i] = src[o + i * c + j];
            }
        }
    }

    static void transposePlanes(double[] src, double[] dst, int planes, int r, int c) {
        int plane = r * c;
        for (int p = 0; p < planes; p++) {
            int o = p * plane;
            for (int i0 = 0; i0 < r; i0 += 8) {
                int i1 = Math.min(r, i0 + 8);
                for (int j = 0; j < c; j++)
                    for (int i = i0; i < i1; i++) dst[o + j * r + i] = src[o + i * c + j];
            }
        }
    }
}
