package org.seqlab.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products over every step of a batch at once (input projections, weight gradients, output
 * layers) on two BLAS threads; everything else stays on the launcher's one thread. Measured on
 * this 2-core machine, alternating the settings within one run (the DL4J LSTM, 2x256, batch 32,
 * 100 steps): two threads for these products made a training step 8-30% faster, while two threads
 * for the per-step products (32 rows) or for ND4J's element-wise ops did not help.
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

    /** {@code c = alpha·op(a)·op(b) + beta·c}, as {@link Nd4j#gemm}, on {@link #THREADS} BLAS threads when large. */
    public static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha, double beta) {
        long k = transposeA ? a.rows() : a.columns();
        if (c.length() * k < MIN_MULTIPLY_ADDS) Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
        else onBothCores(() -> Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta));
    }
}
