package org.seqlab.rnn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.optim.LargeProducts;
import org.seqlab.optim.ShapeCache;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.seqlab.rnn.Slices.at;
import static org.seqlab.rnn.Slices.gate;
import static org.seqlab.rnn.Slices.gates;
import static org.seqlab.rnn.Slices.span;

/**
 * Gated recurrent unit (Cho et al. 2014, the form cuDNN and PyTorch use), blocks reset, update,
 * new:
 * <pre>
 *   [xr xz xn] = x_t Wx + bx          [hr hz hn] = h_{t-1} Wh + bh
 *   r = σ(xr + hr)   z = σ(xz + hz)   n = tanh(xn + r ⊙ hn)
 *   h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}  =  n + z ⊙ (h_{t-1} - n)
 * </pre>
 */
final class GruCell implements RecurrentCell {
    private static final int R = 0, Z = 1, N = 2;
    private final int in, hidden;
    private final INDArray wx, wh, bx, bh, gWx, gWh, gBx, gBh;
    private final ShapeCache<Buffers> cache = new ShapeCache<>();

    private INDArray x;
    private Buffers buf;
    private Map<String, INDArray> last = Map.of();

    /** Scratch arrays and their per-step, per-gate views for one (steps, batch) shape. */
    private final class Buffers {
        final int steps, batch;
        final INDArray zx, zh, act, hAll, pn, pz, pr, dzx, dzh, dOut, dhNext, rzSum, nPre, tmp, hs, hPrev, ones;
        final INDArray[] hT, dOutT, dzhT, zxRZ, zhRZ, actRZ, dzxRZ, dzhRZ, zhT;
        final INDArray[][] zxG, zhG, actG, dzxG, dzhG;
        final INDArray[] pnT, pzT, prT;

        Buffers(DataType dt, int steps, int batch) {
            this.steps = steps;
            this.batch = batch;
            long n = (long) steps * batch;
            zx = Nd4j.create(dt, n, 3L * hidden);
            zh = Nd4j.create(dt, n, 3L * hidden);
            act = Nd4j.create(dt, n, 3L * hidden);
            hAll = Nd4j.create(dt, (long) (steps + 1) * batch, hidden);
            pn = Nd4j.create(dt, n, hidden);
            pz = Nd4j.create(dt, n, hidden);
            pr = Nd4j.create(dt, n, hidden);
            tmp = Nd4j.create(dt, n, hidden);
            dzx = Nd4j.create(dt, n, 3L * hidden);
            dzh = Nd4j.create(dt, n, 3L * hidden);
            dOut = Nd4j.create(dt, n, hidden);
            dhNext = Nd4j.create(dt, batch, hidden);
            rzSum = Nd4j.create(dt, batch, 2L * hidden);
            nPre = Nd4j.create(dt, batch, hidden);
            ones = Nd4j.ones(dt, 1, n);
            hs = span(hAll, 1, steps + 1, batch);
            hPrev = span(hAll, 0, steps, batch);
            hT = new INDArray[steps + 1];
            for (int t = 0; t <= steps; t++) hT[t] = at(hAll, t, batch);
            dOutT = new INDArray[steps]; dzhT = new INDArray[steps]; zhT = new INDArray[steps];
            zxRZ = new INDArray[steps]; zhRZ = new INDArray[steps]; actRZ = new INDArray[steps];
            dzxRZ = new INDArray[steps]; dzhRZ = new INDArray[steps];
            pnT = new INDArray[steps]; pzT = new INDArray[steps]; prT = new INDArray[steps];
            zxG = new INDArray[steps][3]; zhG = new INDArray[steps][3]; actG = new INDArray[steps][3];
            dzxG = new INDArray[steps][3]; dzhG = new INDArray[steps][3];
            for (int t = 0; t < steps; t++) {
                INDArray zxt = at(zx, t, batch), zht = zhT[t] = at(zh, t, batch), at = at(act, t, batch);
                INDArray dzxt = at(dzx, t, batch), dzht = dzhT[t] = at(dzh, t, batch);
                dOutT[t] = at(dOut, t, batch);
                pnT[t] = at(pn, t, batch);
                pzT[t] = at(pz, t, batch);
                prT[t] = at(pr, t, batch);
                zxRZ[t] = gates(zxt, R, 2, hidden);
                zhRZ[t] = gates(zht, R, 2, hidden);
                actRZ[t] = gates(at, R, 2, hidden);
                dzxRZ[t] = gates(dzxt, R, 2, hidden);
                dzhRZ[t] = gates(dzht, R, 2, hidden);
                for (int k = 0; k < 3; k++) {
                    zxG[t][k] = gate(zxt, k, hidden);
                    zhG[t][k] = gate(zht, k, hidden);
                    actG[t][k] = gate(at, k, hidden);
                    dzxG[t][k] = gate(dzxt, k, hidden);
                    dzhG[t][k] = gate(dzht, k, hidden);
                }
            }
        }
    }

    GruCell(Parameters p, String prefix, int in, int hidden) {
        this.in = in;
        this.hidden = hidden;
        wx = p.param(prefix + "Wx");
        wh = p.param(prefix + "Wh");
        bx = p.param(prefix + "bx");
        bh = p.param(prefix + "bh");
        gWx = p.grad(prefix + "Wx");
        gWh = p.grad(prefix + "Wh");
        gBx = p.grad(prefix + "bx");
        gBh = p.grad(prefix + "bh");
    }

    static Parameters.Spec[] specs(String prefix, int in, int hidden) {
        return new Parameters.Spec[]{
                new Parameters.Spec(prefix + "Wx", in, 3 * hidden),
                new Parameters.Spec(prefix + "Wh", hidden, 3 * hidden),
                new Parameters.Spec(prefix + "bx", 1, 3 * hidden),
                new Parameters.Spec(prefix + "bh", 1, 3 * hidden)};
    }

    @Override public int inputSize() { return in; }
    @Override public int hiddenSize() { return hidden; }
    @Override public int stateCount() { return 1; }

    @Override
    public INDArray forward(INDArray x, int steps, int batch, INDArray[] state) {
        this.x = x;
        Buffers s = buf = cache.get(steps, batch, () -> new Buffers(x.dataType(), steps, batch));
        LargeProducts.gemm(x, wx, s.zx, false, false, 1.0, 0.0);                     // x_t Wx + bx, all steps
        s.zx.addiRowVector(bx);
        s.zh.assign(0).addiRowVector(bh);                                    // bh + h_{t-1} Wh, kept for backward
        if (state != null) s.hT[0].assign(state[0]); else s.hT[0].assign(0);
        for (int t = 0; t < steps; t++) {
            INDArray[] a = s.actG[t];
            Nd4j.gemm(s.hT[t], wh, s.zhT[t], false, false, 1.0, 1.0);
            s.zxRZ[t].add(s.zhRZ[t], s.rzSum);
            Nd4j.exec(new Sigmoid(s.rzSum, s.actRZ[t]));                      // r, z
            a[R].mul(s.zhG[t][N], s.nPre).addi(s.zxG[t][N]);
            Nd4j.exec(new Tanh(s.nPre, a[N]));                                // n = tanh(xn + r ⊙ hn)
            s.hT[t].sub(a[N], s.hT[t + 1]).muli(a[Z]).addi(a[N]);             // h = n + z ⊙ (h_{t-1} - n)
        }
        return s.hs;
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
        Buffers s = buf;
        INDArray r = gate(s.act, R, hidden), z = gate(s.act, Z, hidden), nn = gate(s.act, N, hidden);
        nn.mul(nn, s.pn).rsubi(1.0).muli(z.rsub(1.0, s.tmp));                // dan = dh ⊙ (1-z) ⊙ (1-n²)
        s.hPrev.sub(nn, s.pz).muli(z).muli(z.rsub(1.0, s.tmp));              // daz = dh ⊙ (h_{t-1}-n) ⊙ z(1-z)
        gate(s.zh, N, hidden).mul(r, s.pr).muli(r.rsub(1.0, s.tmp));         // dar = dan ⊙ hn ⊙ r(1-r)
        for (int t = s.steps - 1; t >= 0; t--) {
            INDArray dh = s.dOutT[t];
            if (t < s.steps - 1) dh.addi(s.dhNext);
            INDArray[] dzx = s.dzxG[t], dzh = s.dzhG[t];
            dh.mul(s.pnT[t], dzx[N]);
            dh.mul(s.pzT[t], dzx[Z]);
            dzx[N].mul(s.prT[t], dzx[R]);
            s.dzhRZ[t].assign(s.dzxRZ[t]);                                   // r and z see x and h alike
            dzx[N].mul(s.actG[t][R], dzh[N]);                                // hn is scaled by r
            if (t > 0) {
                dh.mul(s.actG[t][Z], s.dhNext);                              // direct path z ⊙ dh
                Nd4j.gemm(s.dzhT[t], wh, s.dhNext, false, true, 1.0, 1.0);  // + dzh Wh^T
            }
        }
        LargeProducts.gemm(s.hPrev, s.dzh, gWh, true, false, 1.0, 0.0);
        LargeProducts.gemm(x, s.dzx, gWx, true, false, 1.0, 0.0);
        LargeProducts.columnSums(s.dzh, s.ones, gBh);
        LargeProducts.columnSums(s.dzx, s.ones, gBx);
        if (inputGradient != null) LargeProducts.gemm(s.dzx, wx, inputGradient, false, true, 1.0, 0.0);
    }

    @Override
    public INDArray step(INDArray xt, INDArray[] state) {
        INDArray zx = xt.mmul(wx).addiRowVector(bx);
        INDArray zhs = state[0].mmul(wh).addiRowVector(bh);
        INDArray a = Nd4j.create(zx.dataType(), zx.shape());
        Nd4j.exec(new Sigmoid(gates(zx, R, 2, hidden).add(gates(zhs, R, 2, hidden)), gates(a, R, 2, hidden)));
        Nd4j.exec(new Tanh(gate(a, R, hidden).mul(gate(zhs, N, hidden)).addi(gate(zx, N, hidden)), gate(a, N, hidden)));
        INDArray nt = gate(a, N, hidden);
        state[0].subi(nt).muli(gate(a, Z, hidden)).addi(nt);
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("hidden", state[0]);
        m.put("reset gate", gate(a, R, hidden));
        m.put("update gate", gate(a, Z, hidden));
        last = m;
        return state[0];
    }

    @Override
    public Map<String, INDArray> lastActivations() {
        return last;
    }
}
