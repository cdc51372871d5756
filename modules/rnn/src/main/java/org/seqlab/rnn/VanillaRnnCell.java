package org.seqlab.rnn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.optim.LargeProducts;
import org.seqlab.optim.ShapeCache;

import java.util.Map;

import static org.seqlab.rnn.Slices.at;
import static org.seqlab.rnn.Slices.span;

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
    private final ShapeCache<Buffers> cache = new ShapeCache<>();

    private INDArray x;
    private Buffers buf;
    private INDArray last;

    /** Scratch arrays and their per-step views for one (steps, batch) shape. */
    private final class Buffers {
        final int steps, batch;
        final INDArray a, hAll, dTanh, dOut, dNext, hs, hPrev, ones;
        final INDArray[] aT, hT, dTanhT, dOutT;

        Buffers(DataType dt, int steps, int batch) {
            this.steps = steps;
            this.batch = batch;
            long n = (long) steps * batch;
            a = Nd4j.create(dt, n, hidden);
            hAll = Nd4j.create(dt, (long) (steps + 1) * batch, hidden);  // h_{-1} (initial state), h_0 .. h_{T-1}
            dTanh = Nd4j.create(dt, n, hidden);
            dOut = Nd4j.create(dt, n, hidden);
            ones = Nd4j.ones(dt, 1, n);
            dNext = Nd4j.create(dt, batch, hidden);
            hs = span(hAll, 1, steps + 1, batch);
            hPrev = span(hAll, 0, steps, batch);
            aT = new INDArray[steps];
            dTanhT = new INDArray[steps];
            dOutT = new INDArray[steps];
            hT = new INDArray[steps + 1];
            for (int t = 0; t < steps; t++) {
                aT[t] = at(a, t, batch);
                dTanhT[t] = at(dTanh, t, batch);
                dOutT[t] = at(dOut, t, batch);
            }
            for (int t = 0; t <= steps; t++) hT[t] = at(hAll, t, batch);
        }
    }

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
                new Parameters.Spec(prefix + "Wxh", in, hidden),
                new Parameters.Spec(prefix + "Whh", hidden, hidden),
                new Parameters.Spec(prefix + "bh", 1, hidden)};
    }

    @Override public int inputSize() { return in; }
    @Override public int hiddenSize() { return hidden; }
    @Override public int stateCount() { return 1; }

    @Override
    public INDArray forward(INDArray x, int steps, int batch, INDArray[] state) {
        this.x = x;
        Buffers b = buf = cache.get(steps, batch, () -> new Buffers(x.dataType(), steps, batch));
        LargeProducts.gemm(x, wxh, b.a, false, false, 1.0, 0.0);                   // x_t Wxh for all steps at once
        b.a.addiRowVector(bh);                                              //   + bh
        if (state != null) b.hT[0].assign(state[0]); else b.hT[0].assign(0);
        for (int t = 0; t < steps; t++) {
            Nd4j.gemm(b.hT[t], whh, b.aT[t], false, false, 1.0, 1.0);      // a_t += h_{t-1} Whh
            Nd4j.exec(new Tanh(b.aT[t], b.hT[t + 1]));                      // h_t = tanh(a_t)
        }
        return b.hs;
    }

    @Override
    public INDArray[] finalState() {
        return new INDArray[]{buf.hT[buf.steps].dup()};
    }

    @Override
    public INDArray outputGradient() {
        return buf.dOut;
    }

    @Override
    public void backward(INDArray inputGradient) {
        Buffers b = buf;
        b.hs.mul(b.hs, b.dTanh).rsubi(1.0);                                 // tanh'(a_t) = 1 - h_t^2
        for (int t = b.steps - 1; t >= 0; t--) {
            INDArray da = b.dOutT[t];                                       // overwritten into dL/da_t
            if (t < b.steps - 1) da.addi(b.dNext);                          // dL/dh_t = from output + from step t+1
            da.muli(b.dTanhT[t]);                                           // dL/da_t = dL/dh_t * (1 - h_t^2)
            if (t > 0) Nd4j.gemm(da, whh, b.dNext, false, true, 1.0, 0.0); // dL/dh_{t-1} = dL/da_t Whh^T
        }
        LargeProducts.gemm(b.hPrev, b.dOut, gWhh, true, false, 1.0, 0.0);          // dWhh = sum_t h_{t-1}^T da_t
        LargeProducts.gemm(x, b.dOut, gWxh, true, false, 1.0, 0.0);                 // dWxh = sum_t x_t^T da_t
        LargeProducts.columnSums(b.dOut, b.ones, gBh);                       // dbh  = sum_t da_t
        if (inputGradient != null) LargeProducts.gemm(b.dOut, wxh, inputGradient, false, true, 1.0, 0.0); // dL/dx_t = da_t Wxh^T
    }

    @Override
    public INDArray step(INDArray xt, INDArray[] state) {
        INDArray a = xt.mmul(wxh).addiRowVector(bh);
        Nd4j.gemm(state[0], whh, a, false, false, 1.0, 1.0);
        Nd4j.exec(new Tanh(a, state[0]));
        last = state[0];
        return state[0];
    }

    @Override
    public Map<String, INDArray> lastActivations() {
        return Map.of("hidden", last);
    }
}
