package org.seqlab.rnn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.optim.LargeProducts;
import org.seqlab.optim.LstmKernel;
import org.seqlab.optim.FusedKernels;
import org.seqlab.optim.LstmSteps;
import org.seqlab.optim.ShapeCache;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.seqlab.rnn.Slices.at;
import static org.seqlab.rnn.Slices.gate;
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
    private final ShapeCache<Buffers> cache = new ShapeCache<>();

    private INDArray x;
    private Buffers buf;
    private Map<String, INDArray> last = Map.of();

    /** Scratch arrays and their per-step, per-gate views for one (steps, batch) shape. */
    private final class Buffers {
        final int steps, batch;
        final INDArray z, act, hAll, cAll, tc, p, q, dz, dOut, dhNext, dcNext, dc, ig, tmp;
        final INDArray hs, hPrev, cPrev, ones;
        final INDArray[] zT, zgT, tcT, qT, dOutT, dzT, hT, cT, actRowT;
        final INDArray[][] actT, pT, dzGT;   // [t][gate]
        /** The fused kernels' side of a pass (null: ND4J's element-wise ops, without the Vector API). */
        final LstmSteps fused;

        Buffers(DataType dt, int steps, int batch) {
            this.steps = steps;
            this.batch = batch;
            // a row-major [batch, 4·hidden] step, gates in the order i, f, g, o
            fused = FusedKernels.enabled() ? new LstmSteps(dt, steps, new LstmKernel.Layout(batch, hidden, 4 * hidden, 0, hidden, 2 * hidden, 3 * hidden)) : null;
            long n = (long) steps * batch;
            boolean ew = fused == null;                     // the element-wise sweep's scratch, only where it runs
            z = Nd4j.create(dt, n, 4L * hidden);
            act = ew ? Nd4j.create(dt, n, 4L * hidden) : null;
            hAll = Nd4j.create(dt, (long) (steps + 1) * batch, hidden);
            cAll = Nd4j.create(dt, (long) (steps + 1) * batch, hidden);
            tc = ew ? Nd4j.create(dt, n, hidden) : null;
            p = ew ? Nd4j.create(dt, n, 4L * hidden) : null;
            q = ew ? Nd4j.create(dt, n, hidden) : null;
            tmp = ew ? Nd4j.create(dt, n, hidden) : null;
            dz = Nd4j.create(dt, n, 4L * hidden);
            dOut = Nd4j.create(dt, n, hidden);
            dhNext = Nd4j.create(dt, batch, hidden);
            dcNext = ew ? Nd4j.create(dt, batch, hidden) : null;
            dc = ew ? Nd4j.create(dt, batch, hidden) : null;
            ig = ew ? Nd4j.create(dt, batch, hidden) : null;
            ones = Nd4j.ones(dt, 1, n);
            hs = span(hAll, 1, steps + 1, batch);
            hPrev = span(hAll, 0, steps, batch);
            cPrev = span(cAll, 0, steps, batch);
            zT = new INDArray[steps]; zgT = new INDArray[steps]; tcT = new INDArray[steps]; qT = new INDArray[steps];
            dOutT = new INDArray[steps]; dzT = new INDArray[steps]; actRowT = new INDArray[steps];
            hT = new INDArray[steps + 1]; cT = new INDArray[steps + 1];
            actT = new INDArray[steps][4]; pT = new INDArray[steps][4]; dzGT = new INDArray[steps][4];
            for (int t = 0; t < steps; t++) {
                zT[t] = at(z, t, batch);
                dzT[t] = at(dz, t, batch);
                if (!ew) continue;
                zgT[t] = gate(zT[t], G, hidden);
                tcT[t] = at(tc, t, batch);
                qT[t] = at(q, t, batch);
                dOutT[t] = at(dOut, t, batch);
                INDArray a = actRowT[t] = at(act, t, batch), pp = at(p, t, batch);
                for (int k = 0; k < 4; k++) {
                    actT[t][k] = gate(a, k, hidden);
                    pT[t][k] = gate(pp, k, hidden);
                    dzGT[t][k] = gate(dzT[t], k, hidden);
                }
            }
            for (int t = 0; t <= steps; t++) {
                hT[t] = at(hAll, t, batch);
                cT[t] = at(cAll, t, batch);
            }
        }
    }

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
                new Parameters.Spec(prefix + "Wx", in, 4 * hidden),
                new Parameters.Spec(prefix + "Wh", hidden, 4 * hidden),
                new Parameters.Spec(prefix + "b", 1, 4 * hidden)};
    }

    @Override public int inputSize() { return in; }
    @Override public int hiddenSize() { return hidden; }
    @Override public int stateCount() { return 2; }

    @Override
    public INDArray forward(INDArray x, int steps, int batch, INDArray[] state) {
        this.x = x;
        Buffers s = buf = cache.get(steps, batch, () -> new Buffers(x.dataType(), steps, batch));
        LargeProducts.gemm(x, wx, s.z, false, false, 1.0, 0.0);                        // x_t Wx for all steps
        s.z.addiRowVector(b);                                                  //   + b
        if (state != null) {
            s.hT[0].assign(state[0]);
            s.cT[0].assign(state[1]);
        } else {
            s.hT[0].assign(0);
            s.cT[0].assign(0);
        }
        if (s.fused != null) {
            s.fused.initialCell(s.cT[0]);
            for (int t = 0; t < steps; t++) {
                Nd4j.gemm(s.hT[t], wh, s.zT[t], false, false, 1.0, 1.0);      // + h_{t-1} Wh
                s.fused.forward(t, s.zT[t], s.hT[t + 1], null, 0);                // gates, c_t, h_t in one pass
            }
            s.fused.cell(steps, s.cT[steps]);
            return s.hs;
        }
        for (int t = 0; t < steps; t++) {
            INDArray[] a = s.actT[t];
            Nd4j.gemm(s.hT[t], wh, s.zT[t], false, false, 1.0, 1.0);          // + h_{t-1} Wh
            Nd4j.exec(new Sigmoid(s.zT[t], s.actRowT[t]));                      // i, f, o (and g, replaced next)
            Nd4j.exec(new Tanh(s.zgT[t], a[G]));                                // g = tanh(zg) (overwrites σ)
            a[F].mul(s.cT[t], s.cT[t + 1]);                                     // c_t = f ⊙ c_{t-1}
            a[I].mul(a[G], s.ig);
            s.cT[t + 1].addi(s.ig);                                             //     + i ⊙ g
            Nd4j.exec(new Tanh(s.cT[t + 1], s.tcT[t]));
            a[O].mul(s.tcT[t], s.hT[t + 1]);                                    // h_t = o ⊙ tanh(c_t)
        }
        return s.hs;
    }

    @Override
    public INDArray[] finalState() {
        return new INDArray[]{buf.hT[buf.steps].dup(), buf.cT[buf.steps].dup()};
    }

    @Override
    public INDArray outputGradient() {
        return buf.dOut;
    }

    @Override
    public void backward(INDArray inputGradient) {
        Buffers s = buf;
        if (s.fused != null) {
            s.fused.outputGradient(s.dOut);
            for (int t = s.steps - 1; t >= 0; t--) {
                s.fused.backward(t, t == s.steps - 1, s.dhNext, s.dzT[t]);       // dz_t, and dc for step t-1
                if (t > 0) Nd4j.gemm(s.dzT[t], wh, s.dhNext, false, true, 1.0, 0.0);   // dL/dh_{t-1} = dz Wh^T
            }
        } else {
            elementWiseBackward(s);
        }
        LargeProducts.gemm(s.hPrev, s.dz, gWh, true, false, 1.0, 0.0);                 // dWh = Σ h_{t-1}^T dz_t
        LargeProducts.gemm(x, s.dz, gWx, true, false, 1.0, 0.0);                       // dWx = Σ x_t^T dz_t
        LargeProducts.columnSums(s.dz, s.ones, gB);                            // db  = Σ dz_t
        if (inputGradient != null) LargeProducts.gemm(s.dz, wx, inputGradient, false, true, 1.0, 0.0);
    }

    /** The backward sweep in ND4J's element-wise ops, where the fused kernels do not run. */
    private void elementWiseBackward(Buffers s) {
        INDArray i = gate(s.act, I, hidden), f = gate(s.act, F, hidden), g = gate(s.act, G, hidden), o = gate(s.act, O, hidden);
        // factors of dL/dz that do not depend on the incoming gradient, all steps at once
        g.mul(i, gate(s.p, I, hidden)).muli(i.rsub(1.0, s.tmp));                     // dz_i = dc ⊙ g ⊙ i(1-i)
        s.cPrev.mul(f, gate(s.p, F, hidden)).muli(f.rsub(1.0, s.tmp));               // dz_f = dc ⊙ c_{t-1} ⊙ f(1-f)
        g.mul(g, gate(s.p, G, hidden)).rsubi(1.0).muli(i);                    // dz_g = dc ⊙ i ⊙ (1-g²)
        s.tc.mul(o, gate(s.p, O, hidden)).muli(o.rsub(1.0, s.tmp));                  // dz_o = dh ⊙ tanh(c) ⊙ o(1-o)
        s.tc.mul(s.tc, s.q).rsubi(1.0).muli(o);                               // dc += dh ⊙ o ⊙ (1-tanh²(c))
        for (int t = s.steps - 1; t >= 0; t--) {
            INDArray dh = s.dOutT[t];
            if (t < s.steps - 1) dh.addi(s.dhNext);                            // dL/dh_t: output + step t+1
            dh.mul(s.qT[t], s.dc);
            if (t < s.steps - 1) s.dc.addi(s.dcNext);                          // dL/dc_t: via h_t + via c_{t+1}
            INDArray[] pt = s.pT[t], dzt = s.dzGT[t];
            s.dc.mul(pt[I], dzt[I]);
            s.dc.mul(pt[F], dzt[F]);
            s.dc.mul(pt[G], dzt[G]);
            dh.mul(pt[O], dzt[O]);
            if (t > 0) {
                s.dc.mul(s.actT[t][F], s.dcNext);                              // dL/dc_{t-1} = dc ⊙ f
                Nd4j.gemm(s.dzT[t], wh, s.dhNext, false, true, 1.0, 0.0);     // dL/dh_{t-1} = dz Wh^T
            }
        }
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
