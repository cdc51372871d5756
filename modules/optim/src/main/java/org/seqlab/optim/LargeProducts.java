package org.seqlab.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products on two BLAS threads; ND4J's element-wise ops stay on the launcher's one thread
 * (two made them slower). The models run a whole training step {@link #onBothCores}: with
 * OpenBLAS's AVX-512 kernels (OPENBLAS_CORETYPE=SkylakeX), two threads for every product made the
 * hand-rolled LSTM's training step 25-35% faster at 8 rows of 384 units (per-step products of 4.7M
 * multiply-adds), 14% at 32 rows of 256 (8.4M) and 0-10% at 8 rows of 256 (2.1M), measured on this
 * 2-core machine. OpenBLAS itself keeps tiny products on one thread. Switching threads around each
 * per-step product instead cost more than it gained. Outside a step, {@link #gemm} uses two
 * threads for large products only.
 */
public final class LargeProducts {
    /** Threads for a large product: both cores of a 2-core machine, never more than it has. */
    public static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());
    /** Below this many multiply-adds a second thread costs more than it saves. */
    static final long MIN_MULTIPLY_ADDS = 20_000_000L;

    private LargeProducts() {}

    /**
     * Runs {@code work} with every BLAS product on {@link #THREADS} threads, restoring the setting after:
     * for a step whose products are all large (the fused transformer's, 20% faster a step measured
     * alternating within one run). ND4J's element-wise ops keep their own (OpenMP) setting.
     */
    public static <T> T onBothCores(java.util.function.Supplier<T> work) {
        return Nd4j.factory().blas().getMaxThreads() >= THREADS ? work.get() : onThreads(THREADS, work);
    }

    /** Runs {@code work} with every BLAS product on {@code threads} threads, restoring the setting after. */
    public static <T> T onThreads(int threads, java.util.function.Supplier<T> work) {
        int before = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(threads);
        try {
            return work.get();
        } finally {
            Nd4j.factory().blas().setMaxThreads(before);
        }
    }

    /**
     * Column sums of {@code a} [n, m] into {@code into} [1, m] as the product {@code ones·a}, with
     * {@code ones} [1, n]: a BLAS product, where ND4J's {@code sum(true, 0)} over a tall matrix
     * took 6% of an LSTM training step.
     */
    public static void columnSums(INDArray a, INDArray ones, INDArray into) {
        gemm(ones, a, into, false, false, 1.0, 0.0);
    }

    /** {@code c = alpha·op(a)·op(b) + beta·c}, as {@link Nd4j#gemm}, on {@link #THREADS} BLAS threads when large. */
    public static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha, double beta) {
        long k = transposeA ? a.rows() : a.columns();
        if (c.length() * k < MIN_MULTIPLY_ADDS) Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
        else onBothCores(() -> Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta));
    }
}
