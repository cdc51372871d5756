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

    /** Copies all of {@code v} into {@code dst[off...]}. */
    public static void get(INDArray v, float[] dst, int off) {
        int n = check(v, DataType.FLOAT);
        new FloatPointer(v.data().pointer()).position(v.offset()).get(dst, off, n);
    }

    public static void get(INDArray v, double[] dst, int off) {
        int n = check(v, DataType.DOUBLE);
        new DoublePointer(v.data().pointer()).position(v.offset()).get(dst, off, n);
    }

    /** Copies {@code src[off...]} into all of {@code v}. */
    public static void put(float[] src, int off, INDArray v) {
        int n = check(v, DataType.FLOAT);
        new FloatPointer(v.data().pointer()).position(v.offset()).put(src, off, n);
    }

    public static void put(double[] src, int off, INDArray v) {
        int n = check(v, DataType.DOUBLE);
        new DoublePointer(v.data().pointer()).position(v.offset()).put(src, off, n);
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

    private static int check(INDArray v, DataType type) {
        if (v.dataType() != type || !contiguous(v) || v.length() > Integer.MAX_VALUE)
            throw new IllegalArgumentException("a bulk copy needs a contiguous c-order " + type + " array, got " + v.dataType() + " "
                    + v.shapeInfoToString());
        return (int) v.length();
    }
}
