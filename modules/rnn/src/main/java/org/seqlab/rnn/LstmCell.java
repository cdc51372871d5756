package org.seqlab.rnn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.seqlab.rnn.Slices.gate;
import static org.seqlab.rnn.Slices.at;
import static org.seqlab.rnn.Slices.span;

/**
 * Long short-term memory cell (Hochreiter and Schmidhuber 1997, with forget gate), gates fused
 * into one matrix in the order input, forget, candidate, output:
 * <pre>
 *   [zi zf zg zo] = x_t Wx + h_{t-1} Wh + b
 *   i = σ(zi)   f = σ(zf)   g = tanh(zg)   o = σ(zo)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g
 *   h_t = o ⊙ tanh(c_t)
 * </pre>
 * Backward: every factor that does not depend on the incoming gradient is computed for all steps
 * at once before the reverse sweep, which is then a handful of element-wise ops and one gemm per
 * step.
 */
final class LstmCell implements RecurrentCell {
    private static final int I = 0, F = 1, G = 2, O = 3;
    private final int in, hidden;
    private final INDArray wx, wh, b, gWx, gWh, gB;

    private INDArray x, act, hAll, cAll, tc;
    private int steps, batch;
    private Map<String, INDArray> last = Map.of();

    LstmCell(Parameters p, String prefix, int in, int hidden) {
        this.in = in;
        this.hidden = hidden;
        wx = p.param(prefix + "Wx");
        wh = p.param(prefix + "Wh");
        b = p.param(prefix + "b");
        gWx = p.grad(prefix + "Wx");
        gWh = p.grad(prefix + "Wh");
        gB = p.grad(prefix + "b");
    }

    static Parameters.Spec[] specs(String prefix, int in, int hidden) {
        return new Parameters.Spec[]{
                new Parameters.Spec(prefix + "Wx", in, 4 * hidden, Math.sqrt(2.0 / (in + hidden))),
                new Parameters.Spec(prefix + "Wh", hidden, 4 * hidden, 1 / Math.sqrt(hidden)),
                new Parameters.Spec(prefix + "b", 1, 4 * hidden, 0)};
    }

    /** Sets the forget-gate bias: a positive value keeps memory open early in training. */
    void initForgetBias(double value) {
        gate(b, F, hidden).assign(value);
    }

    @Override public int inputSize() { return in; }
    @Override public int hiddenSize() { return hidden; }
    @Override public int stateCount() { return 2; }

    @Override
    public INDArray forward(INDArray x, int steps, int batch, INDArray[] state) {
        this.x = x;
        this.steps = steps;
        this.batch = batch;
        int n = steps * batch;
        INDArray z = x.mmul(wx).addiRowVector(b);                             // x_t Wx + b for all steps
        act = Nd4j.create(x.dataType(), n, 4L * hidden);
        hAll = Nd4j.create(x.dataType(), (long) (steps + 1) * batch, hidden);
        cAll = Nd4j.create(x.dataType(), (long) (steps + 1) * batch, hidden);
        tc = Nd4j.create(x.dataType(), n, hidden);
        if (state != null) {
            at(hAll, 0, batch).assign(state[0]);
            at(cAll, 0, batch).assign(state[1]);
        }
        for (int t = 0; t < steps; t++) {
            INDArray zt = at(z, t, batch), at = at(act, t, batch);
            Nd4j.gemm(at(hAll, t, batch), wh, zt, false, false, 1.0, 1.0);  // + h_{t-1} Wh
            Nd4j.exec(new Sigmoid(zt, at));                                      // i, f, o (and g, overwritten next)
            Nd4j.exec(new Tanh(gate(zt, G, hidden), gate(at, G, hidden)));      // g = tanh(zg)
            INDArray ct = at(cAll, t + 1, batch);
            gate(at, F, hidden).mul(at(cAll, t, batch), ct);                  // c_t = f ⊙ c_{t-1}
            ct.addi(gate(at, I, hidden).mul(gate(at, G, hidden)));              //     + i ⊙ g
            INDArray tct = at(tc, t, batch);
            Nd4j.exec(new Tanh(ct, tct));
            gate(at, O, hidden).mul(tct, at(hAll, t + 1, batch));             // h_t = o ⊙ tanh(c_t)
        }
        return span(hAll, 1, steps + 1, batch);
    }

    @Override
    public INDArray[] finalState() {
        return new INDArray[]{at(hAll, steps, batch).dup(), at(cAll, steps, batch).dup()};
    }

    @Override
    public INDArray backward(INDArray dOut, boolean needInputGradient) {
        int n = steps * batch;
        INDArray i = gate(act, I, hidden), f = gate(act, F, hidden), g = gate(act, G, hidden), o = gate(act, O, hidden);
        INDArray cPrev = span(cAll, 0, steps, batch);
        // factors of dL/dz that do not depend on the incoming gradient, all steps at once
        INDArray p = Nd4j.create(dOut.dataType(), n, 4L * hidden);
        g.mul(i, gate(p, I, hidden)).muli(i.rsub(1.0));                       // dz_i = dc ⊙ g ⊙ i(1-i)
        cPrev.mul(f, gate(p, F, hidden)).muli(f.rsub(1.0));                   // dz_f = dc ⊙ c_{t-1} ⊙ f(1-f)
        g.mul(g, gate(p, G, hidden)).rsubi(1.0).muli(i);                      // dz_g = dc ⊙ i ⊙ (1-g²)
        tc.mul(o, gate(p, O, hidden)).muli(o.rsub(1.0));                      // dz_o = dh ⊙ tanh(c) ⊙ o(1-o)
        INDArray q = tc.mul(tc).rsubi(1.0).muli(o);                           // dc += dh ⊙ o ⊙ (1-tanh²(c))

        INDArray dz = Nd4j.create(dOut.dataType(), n, 4L * hidden);
        INDArray dhNext = Nd4j.create(dOut.dataType(), batch, hidden);
        INDArray dcNext = Nd4j.create(dOut.dataType(), batch, hidden);
        INDArray dc = Nd4j.create(dOut.dataType(), batch, hidden);
        for (int t = steps - 1; t >= 0; t--) {
            INDArray dh = at(dOut, t, batch);
            if (t < steps - 1) dh.addi(dhNext);                                 // dL/dh_t: output + step t+1
            dh.mul(at(q, t, batch), dc);
            if (t < steps - 1) dc.addi(dcNext);                                 // dL/dc_t: via h_t + via c_{t+1}
            INDArray dzt = at(dz, t, batch), pt = at(p, t, batch);
            dc.mul(gate(pt, I, hidden), gate(dzt, I, hidden));
            dc.mul(gate(pt, F, hidden), gate(dzt, F, hidden));
            dc.mul(gate(pt, G, hidden), gate(dzt, G, hidden));
            dh.mul(gate(pt, O, hidden), gate(dzt, O, hidden));
            if (t > 0) {
                dc.mul(gate(at(act, t, batch), F, hidden), dcNext);          // dL/dc_{t-1} = dc ⊙ f
                Nd4j.gemm(dzt, wh, dhNext, false, true, 1.0, 0.0);            // dL/dh_{t-1} = dz Wh^T
            }
        }
        Nd4j.gemm(span(hAll, 0, steps, batch), dz, gWh, true, false, 1.0, 0.0);   // dWh = Σ h_{t-1}^T dz_t
        Nd4j.gemm(x, dz, gWx, true, false, 1.0, 0.0);                               // dWx = Σ x_t^T dz_t
        gB.assign(dz.sum(true, 0));                                                  // db  = Σ dz_t
        return needInputGradient ? dz.mmul(wx.transpose()) : null;
    }

    @Override
    public INDArray step(INDArray xt, INDArray[] state) {
        INDArray z = xt.mmul(wx).addiRowVector(b);
        Nd4j.gemm(state[0], wh, z, false, false, 1.0, 1.0);
        INDArray a = Nd4j.create(z.dataType(), z.shape());
        Nd4j.exec(new Sigmoid(z, a));
        Nd4j.exec(new Tanh(gate(z, G, hidden), gate(a, G, hidden)));
        state[1].muli(gate(a, F, hidden)).addi(gate(a, I, hidden).mul(gate(a, G, hidden)));
        INDArray tcs = Nd4j.create(z.dataType(), state[1].shape());
        Nd4j.exec(new Tanh(state[1], tcs));
        gate(a, O, hidden).mul(tcs, state[0]);
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("hidden", state[0]);
        m.put("cell", state[1]);
        m.put("input gate", gate(a, I, hidden));
        m.put("forget gate", gate(a, F, hidden));
        m.put("output gate", gate(a, O, hidden));
        last = m;
        return state[0];
    }

    @Override
    public Map<String, INDArray> lastActivations() {
        return last;
    }
}
