package org.seqlab.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products on the BLAS threads that {@link CoreBudget} gives the trial: all the cores for a
 * single run (with OpenBLAS's AVX-512 kernels, OPENBLAS_CORETYPE=SkylakeX, two threads made the
 * hand-rolled LSTM's training step 25-35% faster at 8 rows of 384 units, 14% at 32 rows of 256,
 * measured on a 2-core machine), one each when two trials share those cores. The count is set
 * once per batch of trials, never around a step: switching it per step cost more than it gained
 * and, with trials on several threads, their saves and restores interleaved. ND4J's element-wise
 * ops stay on the launcher's one OpenMP thread (two made them slower). OpenBLAS itself keeps tiny
 * products on one thread.
 */
public final class LargeProducts {
    private LargeProducts() {}

    /**
     * Column sums of {@code a} [n, m] into {@code into} [1, m] as the product {@code ones·a}, with
     * {@code ones} [1, n]: a BLAS product, where ND4J's {@code sum(true, 0)} over a tall matrix
     * took 6% of an LSTM training step.
     */
    public static void columnSums(INDArray a, INDArray ones, INDArray into) {
        gemm(ones, a, into, false, false, 1.0, 0.0);
    }

    /** {@code c = alpha·op(a)·op(b) + beta·c}, as {@link Nd4j#gemm}, on the trial's BLAS threads. */
    public static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha, double beta) {
        Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
    }
}
