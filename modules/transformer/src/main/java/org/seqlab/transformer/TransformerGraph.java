package org.seqlab.transformer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.seqlab.core.InitScheme;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;
import org.seqlab.core.head.LinearHead;
import org.seqlab.core.head.OutputHead;
import org.seqlab.optim.Optimizer;

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
 *   q = LNf(h)·Wout (Wout = Eᵀ when tied) + b      the output head's projection (logits of a linear head)
 * </pre>
 *
 * The output head ({@link OutputHead}) decides the projection's width; a head with tensors of its
 * own (a NADE's {@code nade.Win}, {@code nade.Wout}) has them after {@code head.b} in the flat
 * array, trained by the fused engine through the head. The graph's own loss is the reference for
 * the linear heads (softmax, sigmoid, squared error); a graph for another head has no loss.
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

    /** What a tensor is, which decides its initial values. */
    enum Role { EMBEDDING, WEIGHT, BIAS, HEAD, CONSTANT, OWN }

    /**
     * One trainable tensor: its name, shape, role, fan-in (PyTorch's initialisation bound), GPT-2's
     * standard deviation for it, the value of a constant tensor, and whether AdamW decays it.
     */
    record Param(String name, long[] shape, Role role, long fanIn, double gpt2Std, float constant, boolean decay) {
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
    /** Every parameter, in {@link #params} order; the variables' arrays are views into it. */
    final INDArray flat;
    final List<DropSite> drops = new ArrayList<>();
    final TransformerConfig config;
    final ModelShape shape;
    /** The precision of every weight, activation and input (float, or double for parity checks). */
    final DataType type;

    /** The output head the projection feeds: its own tensors' starting values are drawn by it. */
    final OutputHead head;

    TransformerGraph(TransformerConfig c, ModelShape shape, InitScheme scheme, long seed, OutputHead head) {
        this.head = head;
        this.config = c;
        this.shape = shape;
        this.type = c.precision() == TransformerConfig.Precision.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        int w = shape.width(), d = c.embedding(), hidden = d * c.mlpRatio();
        double projStd = 0.02 / Math.sqrt(2.0 * c.layers());   // GPT-2: residual projections scaled by depth

        SDVariable x = sd.placeHolder(X, type, -1, w);
        // tied, the embedding is also the output head and starts as one
        SDVariable wte = param("wte", c.tieEmbeddings() ? Role.HEAD : Role.EMBEDDING, w, 0.02, true, w, d);
        SDVariable h = sd.mmul(x, wte);
        if (c.positions() == TransformerConfig.Positions.LEARNED) {
            SDVariable pos = sd.placeHolder(POS, type, -1, c.context());
            h = h.add(sd.mmul(pos, param("wpe", Role.EMBEDDING, c.context(), 0.02, true, c.context(), d)));
        }
        SDVariable qkvShape = sd.placeHolder(QKV_SHAPE, DataType.INT64, 5);
        SDVariable bias = sd.placeHolder(BIAS, type, 1, -1, -1, -1);
        h = dropout(h, "drop.emb", c.dropout(), false);
        double scale = 1.0 / Math.sqrt(c.headSize());
        for (int l = 0; l < c.layers(); l++) {
            String p = "h" + l + ".";
            SDVariable a = layerNorm(h, p + "ln1", d);
            SDVariable qkv = linear(a, param(p + "attn.w", Role.WEIGHT, d, 0.02, true, d, 3L * d), param(p + "attn.b", Role.BIAS, d, 0, false, 3L * d));
            // [N, 3D] -> [B, T, 3, H, hd] -> [3, B, H, T, hd]: one fused projection, heads as a batch dimension
            SDVariable[] qkvs = sd.unstack(sd.permute(sd.reshape(qkv, qkvShape), 2, 0, 3, 1, 4), 0, 3);
            SDVariable scores = sd.mmul(qkvs[0].mul(scale), qkvs[1], false, true, false).add(bias);
            SDVariable att = dropout(sd.nn.softmax(scores, -1).rename(attention(l)), p + "drop.att", c.attentionDropout(), true);
            SDVariable y = sd.reshape(sd.permute(sd.mmul(att, qkvs[2]), 0, 2, 1, 3), -1, d);   // [N, D]
            y = linear(y, param(p + "proj.w", Role.WEIGHT, d, projStd, true, d, d), param(p + "proj.b", Role.BIAS, d, 0, false, d));
            h = h.add(dropout(y, p + "drop.attn_out", c.dropout(), false));
            SDVariable m = layerNorm(h, p + "ln2", d);
            m = gelu(linear(m, param(p + "mlp.w1", Role.WEIGHT, d, 0.02, true, d, hidden), param(p + "mlp.b1", Role.BIAS, d, 0, false, hidden)));
            m = linear(m, param(p + "mlp.w2", Role.WEIGHT, hidden, projStd, true, hidden, d), param(p + "mlp.b2", Role.BIAS, hidden, 0, false, d));
            h = h.add(dropout(m, p + "drop.mlp_out", c.dropout(), false)).rename(residual(l));
        }
        h = layerNorm(h, "lnf", d);
        int pw = head.projectionWidth();
        if (c.tieEmbeddings() && pw != w)
            throw new IllegalStateException("a tied embedding needs a projection " + w + " wide, the " + head.key() + " head's is " + pw);
        SDVariable projection = c.tieEmbeddings() ? sd.mmul(h, wte, false, true, false) : sd.mmul(h, param("head.w", Role.HEAD, d, 0.02, true, d, pw));
        boolean linear = head instanceof LinearHead;     // a NADE's visible biases take the prior, its hidden ones start at 0 (below)
        SDVariable outBias = c.framePrior() != null && shape.kind() == OutputKind.FRAMES && linear
                ? constantParam("head.b", (float) org.seqlab.core.FramePrior.bias(c.framePrior()), pw)
                : constantParam("head.b", 0f, pw);
        SDVariable logits = sd.nn.biasAdd(projection, outBias, false).rename(LOGITS);
        List<OutputHead.Tensor> own = head.tensors().subList(2, head.tensors().size());
        for (OutputHead.Tensor t : own) {
            params.add(new Param(t.name(), new long[]{t.rows(), t.cols()}, Role.OWN, 0, 0, 0f, t.matrix()));
            sd.var(t.name(), Nd4j.zeros(type, t.rows(), t.cols()));
        }
        if (!linear) {                  // no graph loss: the fused engine scores this head
            flat = bindToOneArray();
            initialise(scheme, seed);
            if (c.framePrior() != null && shape.kind() == OutputKind.FRAMES)
                sd.getArrForVarName("head.b").get(NDArrayIndex.interval(0, w)).assign(org.seqlab.core.FramePrior.bias(c.framePrior()));
            return;
        }

        SDVariable target = sd.placeHolder(Y, type, -1, w);
        SDVariable weights = sd.placeHolder(WEIGHTS, type, -1);
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
        flat = bindToOneArray();
        initialise(scheme, seed);
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

    private SDVariable param(String name, Role role, long fanIn, double gpt2Std, boolean decay, long... shape) {
        Param p = new Param(name, shape, role, fanIn, gpt2Std, 0f, decay);
        params.add(p);
        return sd.var(name, Nd4j.zeros(type, shape));
    }

    private SDVariable constantParam(String name, float value, long... shape) {
        Param p = new Param(name, shape, Role.CONSTANT, 0, 0, value, false);
        params.add(p);
        return sd.var(name, Nd4j.zeros(type, shape));
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
        return in.mul(sd.placeHolder(name, type, attention ? new long[]{-1, -1, -1, -1} : new long[]{-1, -1}));
    }

    /**
     * Initial weights from a Java RNG, so a seed gives the same weights on every backend. By
     * {@code training.init} ({@link InitScheme}): pytorch, PyTorch's defaults (embeddings N(0, 1),
     * linear weights and biases U(±1/√fan_in), the head too, and a tied embedding is nn.Embedding's
     * N(0, 1)); small_output, the same but the head (and a tied embedding, which is the head too)
     * N(0, 0.02), so the first loss is the uniform prediction's (ln V, or K·ln 2 for frames); xavier,
     * every matrix N(0, 2/(rows + cols)), biases 0. weight_init: gpt2 instead: N(0, 0.02), residual
     * projections N(0, 0.02/√(2·layers)), biases 0, the head N(0, 0.02). The output bias starts at 0
     * (or the frame prior) and LayerNorm at gain 1, offset 0 in every scheme.
     */
    private void initialise(InitScheme scheme, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean gpt2 = config.weightInit() == TransformerConfig.WeightInit.GPT2;
        double[] ownValues = null;                 // the head's own tensors, as the head draws them (training.init)
        int ownAt = 0;
        if (head.parameters().length > head.ownOffset()) {
            head.initialise(new org.seqlab.core.InitialWeights(scheme, seed), null);
            ownValues = java.util.Arrays.copyOfRange(head.parameters(), head.ownOffset(), head.parameters().length);
        }
        for (Param p : params) {
            if (p.role() == Role.OWN) {
                int n = Math.toIntExact(p.length());
                array(p).assign(Nd4j.create(java.util.Arrays.copyOfRange(ownValues, ownAt, ownAt + n), p.shape(), 'c').castTo(type));
                ownAt += n;
                continue;
            }
            float[] v = new float[Math.toIntExact(p.length())];
            double bound = 1 / Math.sqrt(Math.max(1, p.fanIn()));
            double glorot = p.shape().length == 2 ? Math.sqrt(2.0 / (p.shape()[0] + p.shape()[1])) : 0;
            for (int i = 0; i < v.length; i++)
                v[i] = p.role() == Role.CONSTANT ? p.constant()
                        : gpt2 ? gpt2(p, r)
                        : (float) switch (scheme) {
                            case XAVIER -> p.role() == Role.BIAS ? 0 : glorot * org.seqlab.core.Gaussian.next(r);
                            case PYTORCH, SMALL_OUTPUT -> switch (p.role()) {
                                case EMBEDDING -> org.seqlab.core.Gaussian.next(r);
                                case HEAD -> scheme == InitScheme.SMALL_OUTPUT ? InitScheme.SMALL_OUTPUT_STD * org.seqlab.core.Gaussian.next(r)
                                        : tied(p) ? org.seqlab.core.Gaussian.next(r) : (2 * r.nextDouble() - 1) * bound;
                                default -> (2 * r.nextDouble() - 1) * bound;     // linear weights and biases
                            };
                        };
            array(p).assign(Nd4j.create(v, p.shape(), 'c'));
        }
    }

    /** Whether {@code p} is the embedding tied to the head (nn.Embedding under pytorch, not nn.Linear). */
    private static boolean tied(Param p) {
        return p.name().equals("wte");
    }

    private static float gpt2(Param p, SplittableRandom r) {
        return switch (p.role()) {
            case BIAS -> 0f;
            case HEAD -> (float) (0.02 * org.seqlab.core.Gaussian.next(r));
            default -> (float) (p.gpt2Std() * org.seqlab.core.Gaussian.next(r));
        };
    }

    /**
     * Moves every parameter into one flat array (the optimiser then updates all of them in a dozen
     * operations). SameDiff's default array holder copies views; the single-thread holder keeps
     * them, and a model is only ever used by one thread at a time.
     */
    private INDArray bindToOneArray() {
        sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), true);
        INDArray all = Nd4j.zeros(type, parameterCount());
        INDArray[] views = views(all);
        for (int i = 0; i < views.length; i++) {
            Param p = params.get(i);
            INDArray old = array(p);
            sd.getVariable(p.name()).setArray(views[i]);
            if (array(p) != views[i]) throw new IllegalStateException("SameDiff copied parameter " + p.name() + " out of the flat array");
            old.close();
        }
        return all;
    }

    /** One view per parameter, shaped like it, into {@code all}, an array in the {@link #layout()} (weights or gradients). */
    INDArray[] views(INDArray all) {
        List<Optimizer.Tensor> layout = layout();
        INDArray[] views = new INDArray[layout.size()];
        for (int i = 0; i < views.length; i++) {
            Optimizer.Tensor t = layout.get(i);
            views[i] = all.get(NDArrayIndex.interval(t.offset(), t.offset() + t.length())).reshape('c', params.get(i).shape());
        }
        return views;
    }

    /** The parameters' flat layout for the optimiser: matrices and embeddings are the tensors that decay. */
    List<Optimizer.Tensor> layout() {
        List<Optimizer.Tensor> layout = new ArrayList<>();
        long offset = 0;
        for (Param p : params) {
            layout.add(new Optimizer.Tensor(p.name(), offset, p.length(), p.decay()));
            offset += p.length();
        }
        return layout;
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

}
