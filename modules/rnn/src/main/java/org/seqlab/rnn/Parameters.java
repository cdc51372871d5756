package org.seqlab.rnn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import org.seqlab.optim.Optimizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All weights of a network in one flat array, with named matrix views into it, and a gradient
 * array of the same layout. One flat buffer means one optimiser call, one norm and one file per
 * step instead of one per tensor (ND4J's per-op overhead dominates at these sizes).
 */
final class Parameters {
    final DataType dtype;
    final INDArray flat;
    final INDArray gradient;
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final Map<String, INDArray> grads = new LinkedHashMap<>();
    private final List<Optimizer.Tensor> layout = new ArrayList<>();

    /** A tensor to allocate: name and shape (its starting values come from {@link #set}). */
    record Spec(String name, int rows, int cols) {
        /** Weights are named W... (Wx, Whh, Why), biases b... (bh, by): only weights decay by default. */
        boolean matrix() {
            return name.substring(name.lastIndexOf('.') + 1).startsWith("W");
        }
    }

    Parameters(DataType dtype, Spec... specs) {
        this.dtype = dtype;
        long total = 0;
        for (Spec s : specs) total += (long) s.rows() * s.cols();
        flat = Nd4j.zeros(dtype, total);
        gradient = Nd4j.zeros(dtype, total);
        long off = 0;
        for (Spec s : specs) {
            long n = (long) s.rows() * s.cols();
            params.put(s.name(), view(flat, off, n, s));
            grads.put(s.name(), view(gradient, off, n, s));
            layout.add(new Optimizer.Tensor(s.name(), off, n, s.matrix()));
            off += n;
        }
    }

    private static INDArray view(INDArray flat, long off, long n, Spec s) {
        INDArray v = flat.get(NDArrayIndex.interval(off, off + n)).reshape('c', s.rows(), s.cols());
        if (!v.isView() && flat.length() != n)
            throw new IllegalStateException("parameter " + s.name() + " is not a view of the flat buffer");
        return v;
    }

    /** Sets tensor {@code name} from row-major values (an initial draw), in this array's precision. */
    void set(String name, double[] values) {
        INDArray p = params.get(name);
        p.assign(Nd4j.create(values, p.shape(), DataType.DOUBLE).castTo(dtype));
    }

    INDArray param(String name) {
        return params.get(name);
    }

    INDArray grad(String name) {
        return grads.get(name);
    }

    Map<String, INDArray> params() {
        return params;
    }

    Map<String, INDArray> grads() {
        return grads;
    }

    /** The tensors in flat order, for the optimiser. */
    List<Optimizer.Tensor> layout() {
        return layout;
    }

    long count() {
        return flat.length();
    }
}
