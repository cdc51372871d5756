package org.seqlab.rnn;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqlab.optim.NativeSlices;

/**
 * Moving data between Java arrays and ND4J buffers in bulk (one memcpy instead of ND4J's
 * element-wise setData, 30x faster), converting the precision where the two differ; the copies
 * themselves are {@link NativeSlices}'.
 */
final class NativeArrays {
    private NativeArrays() {}

    /** Copies {@code src} into the whole of {@code a} (a fresh, non-view array). */
    static void put(INDArray a, double[] src) {
        check(a, src.length);
        if (a.dataType() == DataType.DOUBLE) {
            NativeSlices.put(src, 0, a);
        } else {
            float[] f = new float[src.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) src[i];
            NativeSlices.put(f, 0, a);
        }
    }

    /** Copies {@code src} into the whole of {@code a} (a fresh, non-view array); in float precision one memcpy. */
    static void put(INDArray a, float[] src) {
        check(a, src.length);
        if (a.dataType() == DataType.FLOAT) {
            NativeSlices.put(src, 0, a);
        } else {
            double[] d = new double[src.length];
            for (int i = 0; i < d.length; i++) d[i] = src[i];
            NativeSlices.put(d, 0, a);
        }
    }

    /** Copies the whole of {@code a} (a fresh, non-view array) into {@code dst}. */
    static void get(INDArray a, double[] dst) {
        check(a, dst.length);
        if (a.dataType() == DataType.DOUBLE) {
            NativeSlices.get(a, dst, 0);
        } else {
            float[] f = new float[dst.length];
            NativeSlices.get(a, f, 0);
            for (int i = 0; i < f.length; i++) dst[i] = f[i];
        }
    }

    /** Copies {@code dst.length} values of a whole flat array, from {@code offset} on, into {@code dst}. */
    static void getRange(INDArray flat, long offset, double[] dst) {
        check(flat, (int) flat.length());
        if (flat.dataType() == DataType.DOUBLE) {
            new DoublePointer((DoublePointer) flat.data().pointer()).position(offset).get(dst, 0, dst.length);
        } else {
            float[] f = new float[dst.length];
            new FloatPointer((FloatPointer) flat.data().pointer()).position(offset).get(f, 0, f.length);
            for (int i = 0; i < f.length; i++) dst[i] = f[i];
        }
    }

    /** Copies {@code src} into a whole flat array from {@code offset} on. */
    static void putRange(INDArray flat, long offset, double[] src) {
        check(flat, (int) flat.length());
        if (flat.dataType() == DataType.DOUBLE) {
            new DoublePointer((DoublePointer) flat.data().pointer()).position(offset).put(src, 0, src.length);
        } else {
            float[] f = new float[src.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) src[i];
            new FloatPointer((FloatPointer) flat.data().pointer()).position(offset).put(f, 0, f.length);
        }
    }

    /** Any array's values, row-major, into {@code dst} (a copy first when it is a view). */
    static void getAny(INDArray a, double[] dst) {
        if (a.isView() || a.ordering() != 'c' || a.data().offset() != 0 || a.length() != a.data().length()) a = a.dup('c');
        get(a, dst);
    }

    private static void check(INDArray a, int n) {
        if (a.isView() || a.length() != n || a.ordering() != 'c' || a.data().offset() != 0)
            throw new IllegalArgumentException("bulk copy needs a whole c-order array of " + n + " elements");
    }
}
