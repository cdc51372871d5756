package org.seqlab.rnn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Views used by the cells: the rows of one time step, and one gate's block of columns. */
final class Slices {
    private Slices() {}

    /** Rows {@code [t*batch, (t+1)*batch)}: time step t of a time-major matrix. */
    static INDArray at(INDArray m, int t, int batch) {
        return m.get(NDArrayIndex.interval((long) t * batch, (long) (t + 1) * batch), NDArrayIndex.all());
    }

    /** Rows {@code [from*batch, to*batch)}. */
    static INDArray span(INDArray m, int from, int to, int batch) {
        return m.get(NDArrayIndex.interval((long) from * batch, (long) to * batch), NDArrayIndex.all());
    }

    /** Columns of gate block {@code k} (each block is {@code hidden} wide). */
    static INDArray gate(INDArray m, int k, int hidden) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval((long) k * hidden, (long) (k + 1) * hidden));
    }

    /** Columns of gate blocks {@code [k, k+n)}. */
    static INDArray gates(INDArray m, int k, int n, int hidden) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval((long) k * hidden, (long) (k + n) * hidden));
    }
}
