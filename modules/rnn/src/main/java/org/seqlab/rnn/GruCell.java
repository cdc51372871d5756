package org.seqlab.rnn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.seqlab.rnn.Slices.gate;
import static org.seqlab.rnn.Slices.gates;
import static org.seqlab.rnn.Slices.at;
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

    private INDArray x, act, zh, hAll;
    private int steps, batch;
    private Map<String, INDArray> last = Map.of();

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
                new Parameters.Spec(prefix + "Wx", in, 3 * hidden, Math.sqrt(2.0 / (in + hidden))),
                new Parameters.Spec(prefix + "Wh", hidden, 3 * hidden, 1 / Math.sqrt(hidden)),
                new Parameters.Spec(prefix + "bx", 1, 3 * hidden, 0),
                new Parameters.Spec(prefix + "bh", 1, 3 * hidden, 0)};
    }

    @Override public int inputSize() { return in; }
    @Override public int hiddenSize() { return hidden; }
    @Override public int stateCount() { return 1; }

    @Override
    public INDArray forward(INDArray x, int steps, int batch, INDArray[] state) {
        this.x = x;
        this.steps = steps;
        this.batch = batch;
        int n = steps * batch;
        INDArray zx = x.mmul(wx).addiRowVector(bx);                          // x_t Wx + bx, all steps
        act = Nd4j.create(x.dataType(), n, 3L * hidden);                      // r, z, n
        zh = Nd4j.zeros(x.dataType(), n, 3L * hidden).addiRowVector(bh);      // bh + h_{t-1} Wh, kept for backward
        hAll = Nd4j.create(x.dataType(), (long) (steps + 1) * batch, hidden);
        if (state != null) at(hAll, 0, batch).assign(state[0]);
        for (int t = 0; t < steps; t++) {
            INDArray zxt = at(zx, t, batch), zht = at(zh, t, batch), at = at(act, t, batch);
            INDArray hPrev = at(hAll, t, batch), hNew = at(hAll, t + 1, batch);
            Nd4j.gemm(hPrev, wh, zht, false, false, 1.0, 1.0);
            Nd4j.exec(new Sigmoid(gates(zxt, R, 2, hidden).add(gates(zht, R, 2, hidden)), gates(at, R, 2, hidden)));
            INDArray nPre = gate(at, R, hidden).mul(gate(zht, N, hidden)).addi(gate(zxt, N, hidden));
            INDArray nt = gate(at, N, hidden);
            Nd4j.exec(new Tanh(nPre, nt));                                    // n = tanh(xn + r ⊙ hn)
            hPrev.sub(nt, hNew).muli(gate(at, Z, hidden)).addi(nt);           // h = n + z ⊙ (h_{t-1} - n)
        }
        return span(hAll, 1, steps + 1, batch);
    }

    @Override
    public INDArray[] finalState() {
        return new INDArray[]{at(hAll, steps, batch).dup()};
    }

    @Override
    public INDArray backward(INDArray dOut, boolean needInputGradient) {
        int n = steps * batch;
        INDArray r = gate(act, R, hidden), z = gate(act, Z, hidden), nn = gate(act, N, hidden);
        INDArray hPrev = span(hAll, 0, steps, batch);
        INDArray pn = nn.mul(nn).rsubi(1.0).muli(z.rsub(1.0));               // dan = dh ⊙ (1-z) ⊙ (1-n²)
        INDArray pz = hPrev.sub(nn).muli(z).muli(z.rsub(1.0));                // daz = dh ⊙ (h_{t-1}-n) ⊙ z(1-z)
        INDArray pr = gate(zh, N, hidden).mul(r).muli(r.rsub(1.0));           // dar = dan ⊙ hn ⊙ r(1-r)
        INDArray dzx = Nd4j.create(dOut.dataType(), n, 3L * hidden);
        INDArray dzh = Nd4j.create(dOut.dataType(), n, 3L * hidden);
        INDArray dhNext = Nd4j.create(dOut.dataType(), batch, hidden);
        for (int t = steps - 1; t >= 0; t--) {
            INDArray dh = at(dOut, t, batch);
            if (t < steps - 1) dh.addi(dhNext);
            INDArray dzxt = at(dzx, t, batch), dzht = at(dzh, t, batch);
            INDArray dan = gate(dzxt, N, hidden);
            dh.mul(at(pn, t, batch), dan);
            dh.mul(at(pz, t, batch), gate(dzxt, Z, hidden));
            dan.mul(at(pr, t, batch), gate(dzxt, R, hidden));
            gates(dzht, R, 2, hidden).assign(gates(dzxt, R, 2, hidden));      // r and z see x and h alike
            dan.mul(gate(at(act, t, batch), R, hidden), gate(dzht, N, hidden)); // hn is scaled by r
            if (t > 0) {
                dh.mul(gate(at(act, t, batch), Z, hidden), dhNext);          // direct path z ⊙ dh
                Nd4j.gemm(dzht, wh, dhNext, false, true, 1.0, 1.0);           // + dzh Wh^T
            }
        }
        Nd4j.gemm(hPrev, dzh, gWh, true, false, 1.0, 0.0);
        Nd4j.gemm(x, dzx, gWx, true, false, 1.0, 0.0);
        gBh.assign(dzh.sum(true, 0));
        gBx.assign(dzx.sum(true, 0));
        return needInputGradient ? dzx.mmul(wx.transpose()) : null;
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
