package org.seqlab.transformer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The SameDiff graph of a decoder-only, pre-LayerNorm transformer (GPT-2 layout), built once per
 * model. Everything that depends on the batch shape is a placeholder, so one graph serves
 * training pieces, evaluation and one-row generation:
 *
 * <pre>
 *   x [N, W] (one-hot tokens, multi-hot frames or real values; N = rows × steps)
 *   h = x·E (+ pos·P)                         embedding as a matmul: SameDiff's gather backward is slow
 *   per block: h += Wo·attn(LN1 h) ;  h += W2·gelu(W1·LN2 h)
 *   logits = LNf(h)·Wout (Wout = Eᵀ when tied) + b
 * </pre>
 *
 * Causality comes from the {@code bias} placeholder: −1e9 above the diagonal (SameDiff's attention
 * ops have no causal flag), plus the ALiBi distance penalty when chosen. Dropout masks are
 * placeholders too (SameDiff's own dropout is unreliable in training in M2.1): the model feeds
 * inverted-dropout masks when training and nothing changes in evaluation because the masks
 * are then all ones.
 */
final class TransformerGraph {
    static final String X = "x", Y = "y", WEIGHTS = "w", POS = "pos", BIAS = "bias", QKV_SHAPE = "qkv_shape";
    static final String LOGITS = "logits", LOSS = "loss";

    /** One trainable tensor: its name, shape, initial standard deviation (or constant) and decay. */
    record Param(String name, long[] shape, double std, float constant, boolean decay) {
        long length() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }
    }

    /** A dropout mask placeholder: its name and whether it is shaped like attention weights. */
    record DropSite(String name, boolean attention, double p) {}

    final SameDiff sd = SameDiff.create();
    final List<Param> params = new ArrayList<>();
    final List<DropSite> drops = new ArrayList<>();
    final TransformerConfig config;
    final ModelShape shape;

    TransformerGraph(TransformerConfig c, ModelShape shape, long seed) {
        this.config = c;
        this.shape = shape;
        int w = shape.width(), d = c.embedding(), hidden = d * c.mlpRatio();
        double projStd = 0.02 / Math.sqrt(2.0 * c.layers());   // GPT-2: residual projections scaled by depth

        SDVariable x = sd.placeHolder(X, DataType.FLOAT, -1, w);
        SDVariable wte = param("wte", 0.02, true, w, d);
        SDVariable h = sd.mmul(x, wte);
        if (c.positions() == TransformerConfig.Positions.LEARNED) {
            SDVariable pos = sd.placeHolder(POS, DataType.FLOAT, -1, c.context());
            h = h.add(sd.mmul(pos, param("wpe", 0.02, true, c.context(), d)));
        }
        SDVariable qkvShape = sd.placeHolder(QKV_SHAPE, DataType.INT64, 5);
        SDVariable bias = sd.placeHolder(BIAS, DataType.FLOAT, 1, -1, -1, -1);
        h = dropout(h, "drop.emb", c.dropout(), false);
        double scale = 1.0 / Math.sqrt(c.headSize());
        for (int l = 0; l < c.layers(); l++) {
            String p = "h" + l + ".";
            SDVariable a = layerNorm(h, p + "ln1", d);
            SDVariable qkv = linear(a, param(p + "attn.w", 0.02, true, d, 3L * d), param(p + "attn.b", 0, false, 3L * d));
            // [N, 3D] -> [B, T, 3, H, hd] -> [3, B, H, T, hd]: one fused projection, heads as a batch dimension
            SDVariable[] qkvs = sd.unstack(sd.permute(sd.reshape(qkv, qkvShape), 2, 0, 3, 1, 4), 0, 3);
            SDVariable scores = sd.mmul(qkvs[0].mul(scale), qkvs[1], false, true, false).add(bias);
            SDVariable att = dropout(sd.nn.softmax(scores, -1).rename(attention(l)), p + "drop.att", c.attentionDropout(), true);
            SDVariable y = sd.reshape(sd.permute(sd.mmul(att, qkvs[2]), 0, 2, 1, 3), -1, d);   // [N, D]
            y = linear(y, param(p + "proj.w", projStd, true, d, d), param(p + "proj.b", 0, false, d));
            h = h.add(dropout(y, p + "drop.attn_out", c.dropout(), false));
            SDVariable m = layerNorm(h, p + "ln2", d);
            m = gelu(linear(m, param(p + "mlp.w1", 0.02, true, d, hidden), param(p + "mlp.b1", 0, false, hidden)));
            m = linear(m, param(p + "mlp.w2", projStd, true, hidden, d), param(p + "mlp.b2", 0, false, d));
            h = h.add(dropout(m, p + "drop.mlp_out", c.dropout(), false)).rename(residual(l));
        }
        h = layerNorm(h, "lnf", d);
        SDVariable head = c.tieEmbeddings() ? sd.mmul(h, wte, false, true, false) : sd.mmul(h, param("head.w", 0.02, true, d, w));
        float outBias = c.framePrior() != null && shape.kind() == OutputKind.FRAMES
                ? (float) Math.log(c.framePrior() / (1 - c.framePrior())) : 0f;
        SDVariable logits = head.add(constantParam("head.b", outBias, w)).rename(LOGITS);

        SDVariable target = sd.placeHolder(Y, DataType.FLOAT, -1, w);
        SDVariable weights = sd.placeHolder(WEIGHTS, DataType.FLOAT, -1);
        SDVariable perStep = switch (shape.kind()) {
            // softmax cross-entropy against one-hot targets
            case TOKENS -> sumUnits(sd.nn.logSoftmax(logits).mul(target), w).neg();
            // sum over units of binary cross-entropy with logits, in its overflow-safe form
            case FRAMES -> sumUnits(sd.nn.relu(logits, 0).sub(logits.mul(target))
                    .add(sd.nn.softplus(sd.math.abs(logits).neg())), w);
            // squared error summed over units (no 1/2), as OutputLoss scores every family
            case VALUES -> sumUnits(sd.math.squaredDifference(logits, target), w);
        };
        perStep.mul(weights).sum().rename(LOSS);
        sd.setLossVariables(LOSS);
        initialise(seed);
    }

    /** Sum over the last dimension of [N, W]; for W = 1 a reshape (SameDiff's reduce over a size-1 dimension fails in backprop). */
    private SDVariable sumUnits(SDVariable x, int w) {
        return w == 1 ? sd.reshape(x, -1) : x.sum(1);
    }

    /** x·W + b, the bias through bias_add (its backward is one column sum, cheaper than a broadcast add's). */
    private SDVariable linear(SDVariable x, SDVariable w, SDVariable b) {
        return sd.nn.biasAdd(sd.mmul(x, w), b, false);
    }

    /** The attention weights [B, H, T, T] of block {@code l} (for the report's pictures). */
    static String attention(int l) {
        return "h" + l + ".attention";
    }

    /** The residual stream [N, D] after block {@code l}. */
    static String residual(int l) {
        return "h" + l + ".out";
    }

    private SDVariable param(String name, double std, boolean decay, long... shape) {
        Param p = new Param(name, shape, std, 0f, decay);
        params.add(p);
        return sd.var(name, Nd4j.zeros(DataType.FLOAT, shape));
    }

    private SDVariable constantParam(String name, float value, long... shape) {
        Param p = new Param(name, shape, 0, value, false);
        params.add(p);
        return sd.var(name, Nd4j.zeros(DataType.FLOAT, shape));
    }

    /**
     * LayerNorm over the last dimension (eps 1e-5) from elementary ops: SameDiff's fused layer_norm
     * backward costs ~4 ms per call at 768 × 128 on one core and its standardize backward ~3 ms;
     * the composition less than either.
     */
    private SDVariable layerNorm(SDVariable in, String name, int d) {
        SDVariable gain = constantParam(name + ".g", 1f, d);
        SDVariable bias = constantParam(name + ".b", 0f, d);
        SDVariable centred = in.sub(in.mean(true, 1));
        SDVariable inv = sd.math.rsqrt(centred.mul(centred).mean(true, 1).add(1e-5));
        return sd.nn.biasAdd(centred.mul(inv).mul(gain), bias, false);
    }

    /**
     * GELU in its sigmoid form x·σ(1.702x) (Hendrycks & Gimpel's own approximation, within 0.02 of
     * the erf form): three elementary ops. SameDiff's precise_gelu and its derivative take ~30 ms
     * per call at 768 × 512 on one core; the tanh form costs seven ops and allocations.
     */
    private SDVariable gelu(SDVariable x) {
        return x.mul(sd.nn.sigmoid(x.mul(1.702)));
    }

    private SDVariable dropout(SDVariable in, String name, double p, boolean attention) {
        if (p <= 0) return in;
        drops.add(new DropSite(name, attention, p));
        return in.mul(sd.placeHolder(name, DataType.FLOAT, attention ? new long[]{-1, -1, -1, -1} : new long[]{-1, -1}));
    }

    /** GPT-2 initialisation from a Java RNG, so a seed gives the same weights on every backend. */
    private void initialise(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Param p : params) {
            float[] v = new float[Math.toIntExact(p.length())];
            if (p.std() > 0) for (int i = 0; i < v.length; i++) v[i] = (float) (p.std() * gaussian(r));
            else java.util.Arrays.fill(v, p.constant());
            array(p).assign(Nd4j.create(v, p.shape(), 'c'));
        }
    }

    INDArray array(Param p) {
        return sd.getArrForVarName(p.name());
    }

    List<String> paramNames() {
        return params.stream().map(Param::name).toList();
    }

    long parameterCount() {
        return params.stream().mapToLong(Param::length).sum();
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
