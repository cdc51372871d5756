package org.seqlab.rnn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The vanilla (Elman) RNN cell of the classic courses:
 * <pre>
 *   a_t = x_t Wxh + h_{t-1} Whh + bh
 *   h_t = tanh(a_t)
 * </pre>
 * Input projections for all steps are one gemm; each step is then one gemm and one tanh, and the
 * weight gradients are one gemm each after the backward sweep.
 */
final class VanillaRnnCell implements RecurrentCell {
    private final int in;
    private final int hidden;
    private final INDArray wxh, whh, bh;
    private final INDArray gWxh, gWhh, gBh;

    // forward cache
    private INDArray x;        // [T*B, in]
    private INDArray hAll;     // [(T+1)*B, H]: rows of step -1 (initial state) then steps 0..T-1
    private int steps, batch;

    VanillaRnnCell(Parameters p, String prefix, int in, int hidden) {
        this.in = in;
        this.hidden = hidden;
        wxh = p.param(prefix + "Wxh");
        whh = p.param(prefix + "Whh");
        bh = p.param(prefix + "bh");
        gWxh = p.grad(prefix + "Wxh");
        gWhh = p.grad(prefix + "Whh");
        gBh = p.grad(prefix + "bh");
    }

    /** Parameter tensors with their init: Xavier-like input weights, 1/sqrt(H) recurrent weights. */
    static Parameters.Spec[] specs(String prefix, int in, int hidden) {
        return new Parameters.Spec[]{
                new Parameters.Spec(prefix + "Wxh", in, hidden, Math.sqrt(2.0 / (in + hidden))),
                new Parameters.Spec(prefix + "Whh", hidden, hidden, 1 / Math.sqrt(hidden)),
                new Parameters.Spec(prefix + "bh", 1, hidden, 0)};
    }

    @Override
    public int inputSize() {
        return in;
    }

    @Override
    public int hiddenSize() {
        return hidden;
    }

    @Override
    public int stateCount() {
        return 1;
    }

    @Override
    public INDArray forward(INDArray x, int steps, int batch, INDArray[] state) {
        this.x = x;
        this.steps = steps;
        this.batch = batch;
        INDArray a = x.mmul(wxh).addiRowVector(bh);                       // x_t Wxh + bh, all steps at once
        hAll = Nd4j.create(x.dataType(), (long) (steps + 1) * batch, hidden);
        if (state != null) rows(hAll, 0).assign(state[0]);
        for (int t = 0; t < steps; t++) {
            INDArray at = rows(a, t);
            Nd4j.gemm(rows(hAll, t), whh, at, false, false, 1.0, 1.0); // a_t += h_{t-1} Whh
            Nd4j.exec(new Tanh(at, rows(hAll, t + 1)));                 // h_t = tanh(a_t)
        }
        return hAll.get(NDArrayIndex.interval((long) batch, (long) (steps + 1) * batch), NDArrayIndex.all());
    }

    @Override
    public INDArray[] finalState() {
        return new INDArray[]{rows(hAll, steps).dup()};
    }

    @Override
    public INDArray backward(INDArray dOut, boolean needInputGradient) {
        INDArray hs = hAll.get(NDArrayIndex.interval((long) batch, (long) (steps + 1) * batch), NDArrayIndex.all());
        INDArray dTanh = hs.mul(hs).rsubi(1.0);                             // tanh'(a_t) = 1 - h_t^2
        INDArray dNext = Nd4j.create(dOut.dataType(), batch, hidden);
        INDArray da = dOut;                                                  // overwritten step by step into dL/da_t
        for (int t = steps - 1; t >= 0; t--) {
            INDArray dat = rows(da, t);
            if (t < steps - 1) dat.addi(dNext);                              // dL/dh_t = from output + from step t+1
            dat.muli(rows(dTanh, t));                                        // dL/da_t = dL/dh_t * (1 - h_t^2)
            if (t > 0) Nd4j.gemm(dat, whh, dNext, false, true, 1.0, 0.0);   // dL/dh_{t-1} = dL/da_t Whh^T
        }
        INDArray hPrev = hAll.get(NDArrayIndex.interval(0, (long) steps * batch), NDArrayIndex.all());
        Nd4j.gemm(hPrev, da, gWhh, true, false, 1.0, 0.0);                 // dWhh = sum_t h_{t-1}^T da_t
        Nd4j.gemm(x, da, gWxh, true, false, 1.0, 0.0);                      // dWxh = sum_t x_t^T da_t
        gBh.assign(da.sum(true, 0));                                         // dbh  = sum_t da_t
        return needInputGradient ? da.mmul(wxh.transpose()) : null;         // dL/dx_t = da_t Wxh^T
    }

    @Override
    public INDArray step(INDArray xt, INDArray[] state) {
        INDArray a = xt.mmul(wxh).addiRowVector(bh);
        Nd4j.gemm(state[0], whh, a, false, false, 1.0, 1.0);
        Nd4j.exec(new Tanh(a, state[0]));
        last = state[0];
        return state[0];
    }

    private INDArray last;

    @Override
    public java.util.Map<String, INDArray> lastActivations() {
        return java.util.Map.of("hidden", last);
    }

    private INDArray rows(INDArray m, int t) {
        return m.get(NDArrayIndex.interval((long) t * batch, (long) (t + 1) * batch), NDArrayIndex.all());
    }
}
