package org.seqlab.optim;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One memcpy between a contiguous ND4J array (a whole buffer or a contiguous view, such as one
 * step's slab) and a Java array of the same precision: how the fused kernels ({@link LstmKernel})
 * get their operands out of ND4J's memory and their results back.
 */
public final class NativeSlices {
    private NativeSlices() {}

    /** Copies all of {@code v} (a contiguous c-order array) into {@code dst[off...]}. */
    public static void get(INDArray v, float[] dst, int off) {
        getDense(cOrder(v), dst, off);
    }

    public static void get(INDArray v, double[] dst, int off) {
        getDense(cOrder(v), dst, off);
    }

    /** Copies {@code src[off...]} into all of {@code v} (a contiguous c-order array). */
    public static void put(float[] src, int off, INDArray v) {
        putDense(src, off, cOrder(v));
    }

    public static void put(double[] src, int off, INDArray v) {
        putDense(src, off, cOrder(v));
    }

    /**
     * Copies the memory of a dense array into {@code dst[off...]}: its elements one after the other
     * in the array's own order, c or f (a DL4J recurrent array [rows, features, steps] in f order
     * is [step][feature][row] in memory).
     */
    public static void getDense(INDArray v, float[] dst, int off) {
        int n = checkDense(v, DataType.FLOAT);
        new FloatPointer(v.data().pointer()).position(v.offset()).get(dst, off, n);
    }

    public static void getDense(INDArray v, double[] dst, int off) {
        int n = checkDense(v, DataType.DOUBLE);
        new DoublePointer(v.data().pointer()).position(v.offset()).get(dst, off, n);
    }

    /** Copies {@code src[off...]} into the memory of a dense array, in its own order (see {@link #getDense}). */
    public static void putDense(float[] src, int off, INDArray v) {
        int n = checkDense(v, DataType.FLOAT);
        new FloatPointer(v.data().pointer()).position(v.offset()).put(src, off, n);
    }

    public static void putDense(double[] src, int off, INDArray v) {
        int n = checkDense(v, DataType.DOUBLE);
        new DoublePointer(v.data().pointer()).position(v.offset()).put(src, off, n);
    }

    /** Whether {@code a}'s elements lie one after the other in memory in its own order (c or f). */
    public static boolean dense(INDArray a) {
        return a.length() <= 1 || a.elementWiseStride() == 1 && a.length() <= Integer.MAX_VALUE;
    }

    private static int checkDense(INDArray v, DataType type) {
        if (v.dataType() != type || !dense(v))
            throw new IllegalArgumentException("a bulk copy needs a dense " + type + " array, got " + v.dataType() + " " + v.shapeInfoToString());
        return (int) v.length();
    }

    /**
     * The memory of a contiguous c-order array (a whole one or a contiguous view), in the machine's
     * byte order, element 0 at byte 0: for kernels that read and write ND4J's memory in place.
     */
    public static java.nio.ByteBuffer direct(INDArray a) {
        if (!contiguous(a))
            throw new IllegalArgumentException("a fused kernel needs a contiguous c-order array, got " + a.shapeInfoToString());
        int width = a.dataType().width();
        return a.data().asNio().position((int) (a.offset() * width)).limit((int) ((a.offset() + a.length()) * width)).slice()
                .order(java.nio.ByteOrder.nativeOrder());
    }

    /** Elements one after the other in memory, in c order (a vector's order does not matter). */
    private static boolean contiguous(INDArray a) {
        return a.length() <= 1 || a.elementWiseStride() == 1 && (a.ordering() == 'c' || a.isVector());
    }

    private static INDArray cOrder(INDArray v) {
        if (!contiguous(v))
            throw new IllegalArgumentException("a bulk copy needs a contiguous c-order array, got " + v.dataType() + " " + v.shapeInfoToString());
        return v;
    }
}
