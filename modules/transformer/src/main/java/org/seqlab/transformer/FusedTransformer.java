package org.seqlab.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.seqlab.core.EvalStats;
import org.seqlab.core.head.OutputHead;
import org.seqlab.optim.FusedKernels;
import org.seqlab.optim.ShapeCache;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The transformer's forward and backward passes written out on ND4J ({@code engine: fused}): the
 * same network, weights and dropout masks as {@link TransformerGraph}, whose SameDiff graph stays
 * the reference (and the engine for GPUs). SameDiff spends most of a CPU step on per-op overhead
 * and fresh allocations; here every activation lives in per-shape buffers made once, a step is a
 * few dozen large matrix products (all on the trial's BLAS threads) and element-wise ops, and the backward pass
 * is derived by hand:
 *
 * <pre>
 *   LayerNorm:  dx = rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂))
 *   softmax:    dS = P ⊙ (dP − rowsum(P ⊙ dP)),  rowsum(P ⊙ dP) = rowsum(dY ⊙ Y)  (Y = P·V; as FlashAttention)
 *   GELU (x·σ(1.702x)):  d/dx = σ + 1.702·x·σ·(1 − σ)
 * </pre>
 *
 * The final projection q = LNf(h)·head.w + head.b (Eᵀ when tied) is the output head's ({@link OutputHead}):
 * the head's {@code trainProjected} gives dL/dq, and the gradient of its own tensors (a NADE's),
 * which are accumulated into their views of the flat gradient like every other tensor's.
 *
 * Checked against the graph step for step (loss, every gradient, updated weights) by FusedTransformerTest.
 */
final class FusedTransformer {
    private static final double EPS = 1e-5, GELU = 1.702;

    private final TransformerConfig config;
    private final OutputHead head;
    private final DataType type;
    private final int w, d, heads, hd, f, layers;
    /** The head's own tensors (after head.w, head.b) and their gradients, in the head's order; empty for a linear head. */
    private final INDArray[] own, gOwn;
    /** The head's loss over the real steps of the last training piece. */
    private EvalStats lastStats = EvalStats.ZERO;
    private final double scale;
    private final boolean learned, tied;
    private final INDArray wte, wpe, lnfG, lnfB, headW, headB;
    private final INDArray gWte, gWpe, gLnfG, gLnfB, gHeadW, gHeadB;
    private final Block[] blocks, gBlocks;
    private final ShapeCache<Buffers> trainBuffers = new ShapeCache<>(), evalBuffers = new ShapeCache<>();
    /** GELU, LayerNorm and the attention softmax in one pass each (TransformerKernels), or in ND4J's ops without the Vector API. */
    private final boolean kernels = FusedKernels.enabled();

    /** One block's tensors (weights or their gradients); vectors as [1, n] rows. */
    private record Block(INDArray ln1g, INDArray ln1b, INDArray attnW, INDArray attnB, INDArray projW, INDArray projB,
                         INDArray ln2g, INDArray ln2b, INDArray w1, INDArray b1, INDArray w2, INDArray b2) {
        static Block of(String p, Function<String, INDArray> get) {
            return new Block(row(get.apply(p + "ln1.g")), row(get.apply(p + "ln1.b")), get.apply(p + "attn.w"), row(get.apply(p + "attn.b")),
                    get.apply(p + "proj.w"), row(get.apply(p + "proj.b")), row(get.apply(p + "ln2.g")), row(get.apply(p + "ln2.b")),
                    get.apply(p + "mlp.w1"), row(get.apply(p + "mlp.b1")), get.apply(p + "mlp.w2"), row(get.apply(p + "mlp.b2")));
        }
    }

    /**
     * @param weights every parameter by its graph name (views into the model's flat weights)
     * @param grads   their gradients by the same names (views into the flat gradient), accumulated into
     */
    FusedTransformer(TransformerConfig config, OutputHead head, DataType type,
                     Map<String, INDArray> weights, Map<String, INDArray> grads) {
        this.config = config;
        this.head = head;
        this.type = type;
        this.w = head.projectionWidth();
        List<OutputHead.Tensor> ownTensors = head.tensors().subList(2, head.tensors().size());
        own = new INDArray[ownTensors.size()];
        gOwn = new INDArray[ownTensors.size()];
        for (int i = 0; i < own.length; i++) {
            own[i] = weights.get(ownTensors.get(i).name());
            gOwn[i] = grads.get(ownTensors.get(i).name());
        }
        this.d = config.embedding();
        this.heads = config.heads();
        this.hd = config.headSize();
        this.f = d * config.mlpRatio();
        this.layers = config.layers();
        this.scale = 1.0 / Math.sqrt(hd);
        this.learned = config.positions() == TransformerConfig.Positions.LEARNED;
        this.tied = config.tieEmbeddings();
        wte = weights.get("wte");
        gWte = grads.get("wte");
        wpe = learned ? weights.get("wpe") : null;
        gWpe = learned ? grads.get("wpe") : null;
        lnfG = row(weights.get("lnf.g"));
        lnfB = row(weights.get("lnf.b"));
        gLnfG = row(grads.get("lnf.g"));
        gLnfB = row(grads.get("lnf.b"));
        headW = tied ? null : weights.get("head.w");
        gHeadW = tied ? null : grads.get("head.w");
        headB = row(weights.get("head.b"));
        gHeadB = row(grads.get("head.b"));
        blocks = new Block[layers];
        gBlocks = new Block[layers];
        for (int l = 0; l < layers; l++) {
            blocks[l] = Block.of("h" + l + ".", weights::get);
            gBlocks[l] = Block.of("h" + l + ".", grads::get);
        }
    }

    private static INDArray row(INDArray v) {
        return v.reshape(1, v.length());
    }

    /**
     * One piece of {@code rows × len} steps: the head's projections q, and when {@code y} is given the gradient of
     * Σ weights·loss added into the gradient views (and the piece's loss in {@link #lastStats}).
     *
     * @param x       inputs [rows·len, width]
     * @param y       targets (training only): token ids [rows·len], else [rows·len × width] frames or values
     * @param weights [rows·len, 1] each step's weight in the loss (training only): 0, or one value for
     *                every real step (mask / the batch's steps)
     * @param bias    attention bias [1, 1 or heads, len, len]: causal −1e9, plus ALiBi
     * @param masks   inverted-dropout masks by drop site (training only; absent sites are not dropped)
     * @return the logits [rows·len, width], row-major
     */
    double[] run(int rows, int len, INDArray x, Targets y, INDArray weights, INDArray bias, Map<String, INDArray> masks) {
        boolean train = y != null;
        if (kernels && type == DataType.FLOAT) TransformerKernels.warmUp();      // at the first step: timed as training is
        Buffers b = (train ? trainBuffers : evalBuffers).get(len, rows, () -> new Buffers(rows, len, train));
        forward(b, x, bias, masks);
        double[] logits = b.logits.reshape(-1).toDoubleVector();
        if (train) backward(b, x, y, weights, masks);
        return logits;
    }

    // ---- forward ----

    private void forward(Buffers b, INDArray x, INDArray bias, Map<String, INDArray> masks) {
        INDArray h = b.h;
        Nd4j.gemm(x, wte, h, false, false, 1, 0);
        if (learned) {
            INDArray positions = wpe.get(NDArrayIndex.interval(0, b.len), NDArrayIndex.all());
            for (INDArray r : b.hRows) r.addi(positions);
        }
        drop(h, masks.get("drop.emb"));
        for (int l = 0; l < layers; l++) {
            Block p = blocks[l];
            Layer a = b.layer(l);
            String site = "h" + l + ".";
            layerNorm(b, h, p.ln1g, p.ln1b, a.xhat1, a.rstd1, a.ln1);
            Nd4j.gemm(a.ln1, p.attnW, a.qkv, false, false, 1, 0);
            a.qkv.addiRowVector(p.attnB);
            a.q.assign(a.qkvParts[0]).muli(scale);
            a.k.assign(a.qkvParts[1]);
            a.v.assign(a.qkvParts[2]);
            Nd4j.matmul(a.q3, a.k3, a.p3, false, true, false);                  // scores [B·H, T, T]
            if (kernels) b.softmaxCausal(a.p, bias);
            else {
                (bias.size(1) == 1 ? a.pByHead : a.pByRow).addiRowVector(bias.reshape(1, bias.length()));
                Nd4j.exec(new SoftMax(a.p3, a.p3, -1));
            }
            INDArray attMask = masks.get(site + "drop.att");
            if (attMask != null) a.p.mul(attMask, a.pd);
            Nd4j.matmul(attMask != null ? a.pd3 : a.p3, a.v3, a.yh3, false, false, false);
            a.yByHead.assign(a.yh);                                            // [B, H, T, hd] -> [B, T, H·hd]
            Nd4j.gemm(a.y, p.projW, b.tmp, false, false, 1, 0);
            b.tmp.addiRowVector(p.projB);
            drop(b.tmp, masks.get(site + "drop.attn_out"));
            h.addi(b.tmp);

            layerNorm(b, h, p.ln2g, p.ln2b, a.xhat2, a.rstd2, a.ln2);
            Nd4j.gemm(a.ln2, p.w1, a.u, false, false, 1, 0);
            a.u.addiRowVector(p.b1);
            if (kernels) TransformerKernels.geluForward(a.u, a.sig, a.g, GELU);
            else {
                a.u.mul(GELU, a.sig);
                Nd4j.exec(new Sigmoid(a.sig, a.sig));
                a.u.mul(a.sig, a.g);
            }
            Nd4j.gemm(a.g, p.w2, b.tmp, false, false, 1, 0);
            b.tmp.addiRowVector(p.b2);
            drop(b.tmp, masks.get(site + "drop.mlp_out"));
            h.addi(b.tmp);
        }
        layerNorm(b, h, lnfG, lnfB, b.xhatF, b.rstdF, b.hf);
        if (tied) Nd4j.gemm(b.hf, wte, b.logits, false, true, 1, 0);
        else Nd4j.gemm(b.hf, headW, b.logits, false, false, 1, 0);
        b.logits.addiRowVector(headB);
    }

    /**
     * out = x̂·g + b with x̂ = (in − mean)·rstd over each row; keeps x̂ and rstd for the backward pass.
     * The row means are products with a column of 1/D: ND4J's var() over rows took 0.75–1 ms at
     * 768 × 128 here, the product 0.1 ms.
     */
    private void layerNorm(Buffers b, INDArray in, INDArray g, INDArray bias, INDArray xhat, INDArray rstd, INDArray out) {
        if (kernels) {
            TransformerKernels.layerNorm(in, g, bias, xhat, rstd, out, EPS);
            return;
        }
        Nd4j.gemm(in, b.byWidth, b.stat, false, false, 1, 0);
        xhat.assign(in).subiColumnVector(b.stat);
        xhat.mul(xhat, b.tmp);
        Nd4j.gemm(b.tmp, b.byWidth, rstd, false, false, 1, 0);
        Nd4j.exec(new RSqrt(rstd.addi(EPS), rstd));
        xhat.muliColumnVector(rstd);
        out.assign(xhat).muliRowVector(g).addiRowVector(bias);
    }

    private static void drop(INDArray a, INDArray mask) {
        if (mask != null) a.muli(mask);
    }

    // ---- backward ----

    private void backward(Buffers b, INDArray x, Targets y, INDArray weights, Map<String, INDArray> masks) {
        lossGradient(b.logits, y, weights, b.dLogits);
        INDArray dh = b.dh;
        colSum(b, b.dLogits, gHeadB);
        if (tied) {
            Nd4j.gemm(b.dLogits, b.hf, gWte, true, false, 1, 1);
            Nd4j.gemm(b.dLogits, wte, b.dTmp, false, false, 1, 0);
        } else {
            Nd4j.gemm(b.hf, b.dLogits, gHeadW, true, false, 1, 1);
            Nd4j.gemm(b.dLogits, headW, b.dTmp, false, true, 1, 0);
        }
        dh.assign(0);
        layerNormBackward(b, b.dTmp, lnfG, b.xhatF, b.rstdF, gLnfG, gLnfB, dh);

        for (int l = layers - 1; l >= 0; l--) {
            Block p = blocks[l], gp = gBlocks[l];
            Layer a = b.layer(l);
            String site = "h" + l + ".";
            // MLP: h += drop(gelu(LN2(h)·W1 + b1)·W2 + b2)
            INDArray dz = masked(dh, masks.get(site + "drop.mlp_out"), b.dTmp);
            colSum(b, dz, gp.b2);
            Nd4j.gemm(a.g, dz, gp.w2, true, false, 1, 1);
            Nd4j.gemm(dz, p.w2, b.dU, false, true, 1, 0);             // dL/dgelu
            if (kernels) TransformerKernels.geluBackward(b.dU, a.sig, a.g, GELU);
            else {
                a.g.mul(a.sig, b.fTmp).rsubi(a.g).muli(GELU).addi(a.sig);      // σ + 1.702·g·(1 − σ), g = u·σ
                b.dU.muli(b.fTmp);                                              // dL/du
            }
            colSum(b, b.dU, gp.b1);
            Nd4j.gemm(a.ln2, b.dU, gp.w1, true, false, 1, 1);
            Nd4j.gemm(b.dU, p.w1, b.dTmp2, false, true, 1, 0);
            layerNormBackward(b, b.dTmp2, p.ln2g, a.xhat2, a.rstd2, gp.ln2g, gp.ln2b, dh);

            // attention: h += drop(attn(LN1(h))·Wo + bo)
            INDArray dout = masked(dh, masks.get(site + "drop.attn_out"), b.dTmp);
            colSum(b, dout, gp.projB);
            Nd4j.gemm(a.y, dout, gp.projW, true, false, 1, 1);
            Nd4j.gemm(dout, p.projW, b.dY, false, true, 1, 0);
            b.dYh.assign(b.dYByHead);                                           // [B, T, H·hd] -> [B, H, T, hd]
            INDArray attMask = masks.get(site + "drop.att");
            INDArray pUsed3 = attMask != null ? a.pd3 : a.p3;
            Nd4j.matmul(b.dYh3, a.v3, b.dP3, false, true, false);              // dL/d(dropped P)
            Nd4j.matmul(pUsed3, b.dYh3, b.dV3, true, false, false);
            if (attMask != null) b.dP.muli(attMask);
            if (kernels) TransformerKernels.softmaxBackward(b.dP, a.p, b.dYh, a.yh, b.len, hd);
            else {
                b.dYh.mul(a.yh, b.yTmp);
                INDArray rowDot = b.yTmp2d.sum(true, 1);                        // rowsum(P ⊙ dP), [B·H·T, 1]
                b.dP2d.subiColumnVector(rowDot).muli(a.p2d);                   // dS
                rowDot.close();
            }
            Nd4j.matmul(b.dP3, a.k3, b.dQ3, false, false, false);
            b.dQ.muli(scale);
            Nd4j.matmul(b.dP3, a.q3, b.dK3, true, false, false);
            b.dQkvParts[0].assign(b.dQ);
            b.dQkvParts[1].assign(b.dK);
            b.dQkvParts[2].assign(b.dV);
            colSum(b, b.dQkv, gp.attnB);
            Nd4j.gemm(a.ln1, b.dQkv, gp.attnW, true, false, 1, 1);
            Nd4j.gemm(b.dQkv, p.attnW, b.dTmp2, false, true, 1, 0);
            layerNormBackward(b, b.dTmp2, p.ln1g, a.xhat1, a.rstd1, gp.ln1g, gp.ln1b, dh);
        }
        drop(dh, masks.get("drop.emb"));
        if (learned) {
            INDArray positions = gWpe.get(NDArrayIndex.interval(0, b.len), NDArrayIndex.all());
            for (INDArray r : b.dhRows) positions.addi(r);
        }
        Nd4j.gemm(x, dh, gWte, true, false, 1, 1);
    }

    /** {@code g} masked by dropout into {@code out}, or {@code g} itself when the site has no dropout. */
    private static INDArray masked(INDArray g, INDArray mask, INDArray out) {
        if (mask == null) return g;
        return g.mul(mask, out);
    }

    /** grad [1, n] += the column sums of {@code a} [rows, n], as one product with a row of ones. */
    private static void colSum(Buffers b, INDArray a, INDArray grad) {
        Nd4j.gemm(b.ones, a, grad, false, false, 1, 1);
    }

    /**
     * LayerNorm's backward pass: the gain and bias gradients, and dL/d(input) added into {@code dIn}.
     * With dx̂ = dy·g, the two row means are products with g: mean(dx̂) = dy·gᵀ/D and mean(dx̂·x̂) = (dy·x̂)·gᵀ/D.
     * {@code dy} is a scratch buffer and is overwritten.
     */
    private void layerNormBackward(Buffers b, INDArray dy, INDArray g, INDArray xhat, INDArray rstd,
                                   INDArray gG, INDArray gB, INDArray dIn) {
        if (kernels) {
            TransformerKernels.layerNormBackward(dy, g, xhat, rstd, gG, gB, dIn);
            return;
        }
        colSum(b, dy, gB);
        dy.mul(xhat, b.lnTmp);
        colSum(b, b.lnTmp, gG);
        Nd4j.gemm(dy, g, b.mean1, false, true, 1.0 / d, 0);
        Nd4j.gemm(b.lnTmp, g, b.mean2, false, true, 1.0 / d, 0);
        b.lnTmp.assign(xhat).muliColumnVector(b.mean2);
        dy.muliRowVector(g).subiColumnVector(b.mean1).subi(b.lnTmp).muliColumnVector(rstd);
        dIn.addi(dy);
    }

    /** A training piece's targets as the head takes them: token ids, or frames or values [n × width]. */
    record Targets(int[] tokens, float[] vectors) {}

    /**
     * dL/dq of Σ weight·loss per step, from the head: its {@code trainProjected} gives the mean over
     * the real steps (weight ≠ 0), so row i is scaled by count·weight_i (the head's own tensors'
     * gradient by count·weight, every real step having the same weight); the own tensors' gradient
     * is added into their views.
     */
    private void lossGradient(INDArray q, Targets y, INDArray weights, INDArray out) {
        int n = (int) q.size(0);
        double[] qv = q.dup('c').data().asDouble(), wv = weights.dup('c').data().asDouble();
        float[] mask = new float[n];
        double weightSum = 0;
        for (int i = 0; i < n; i++) {
            mask[i] = wv[i] != 0 ? 1f : 0f;
            weightSum += wv[i];
        }
        if (own.length > 0) {                        // the optimiser's current values of the head's own tensors
            double[] hp = head.parameters();
            int at = head.ownOffset();
            for (INDArray t : own) {
                double[] v = t.dup('c').data().asDouble();
                System.arraycopy(v, 0, hp, at, v.length);
                at += v.length;
            }
        }
        double[] dq = new double[qv.length];
        lastStats = head.trainProjected(qv, n, y.tokens(), y.vectors(), mask, dq);
        long count = lastStats.count();
        for (int i = 0; i < n; i++) {
            double s = count * wv[i];
            for (int k = 0; k < w; k++) dq[i * w + k] *= s;
        }
        out.assign(Nd4j.create(dq, new long[]{n, w}, 'c').castTo(type));
        if (own.length > 0 && count > 0) {
            double[] g = head.gradient();
            int at = head.ownOffset();
            for (INDArray t : gOwn) {
                int len = (int) t.length();
                double[] part = java.util.Arrays.copyOfRange(g, at, at + len);
                for (int j = 0; j < len; j++) part[j] *= weightSum;       // count · weight: the mean's scale undone, the batch's applied
                t.addi(Nd4j.create(part, t.shape(), 'c').castTo(type));
                at += len;
            }
        }
    }

    /** The head's loss over the real steps of the last training piece. */
    EvalStats lastStats() {
        return lastStats;
    }

    // ---- buffers ----

    /** One block's activations kept for the backward pass (one set shared by all blocks in evaluation). */
    private final class Layer {
        final INDArray xhat1, rstd1, ln1, qkv, q, k, v, q3, k3, v3, p, p3, p2d, pByHead, pByRow, pd, pd3, yh, yh3, y, yByHead;
        final INDArray xhat2, rstd2, ln2, u, sig, g;
        final INDArray[] qkvParts;

        Layer(int rows, int len, boolean train) {
            int n = rows * len;
            xhat1 = make(n, d);
            rstd1 = make(n, 1);
            ln1 = make(n, d);
            qkv = make(n, 3 * d);
            qkvParts = byHead(qkv, rows, len);
            q = make(rows, heads, len, hd);
            k = make(rows, heads, len, hd);
            v = make(rows, heads, len, hd);
            q3 = q.reshape(rows * heads, len, hd);
            k3 = k.reshape(rows * heads, len, hd);
            v3 = v.reshape(rows * heads, len, hd);
            p = make(rows, heads, len, len);
            p3 = p.reshape(rows * heads, len, len);
            p2d = p.reshape((long) rows * heads * len, len);
            pByHead = p.reshape(rows * heads, (long) len * len);
            pByRow = p.reshape(rows, (long) heads * len * len);
            boolean attDrop = train && config.attentionDropout() > 0;
            pd = attDrop ? make(rows, heads, len, len) : null;
            pd3 = attDrop ? pd.reshape(rows * heads, len, len) : null;
            yh = make(rows, heads, len, hd);
            yh3 = yh.reshape(rows * heads, len, hd);
            y = make(n, d);
            yByHead = y.reshape(rows, len, heads, hd).permute(0, 2, 1, 3);
            xhat2 = make(n, d);
            rstd2 = make(n, 1);
            ln2 = make(n, d);
            u = make(n, f);
            sig = make(n, f);
            g = make(n, f);
        }
    }

    /** q, k and v of a [rows·len, 3·D] projection as [rows, heads, len, hd] views (SameDiff's reshape to [B, T, 3, H, hd]). */
    private INDArray[] byHead(INDArray qkv, int rows, int len) {
        INDArray five = qkv.reshape(rows, len, 3, heads, hd);
        INDArray[] parts = new INDArray[3];
        for (int s = 0; s < 3; s++)
            parts[s] = five.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.all())
                    .permute(0, 2, 1, 3);
        return parts;
    }

    private INDArray make(long... shape) {
        return Nd4j.create(type, shape, 'c');
    }

    /** Every buffer of one piece shape; training keeps each block's activations, evaluation one block's. */
    private final class Buffers {
        final int rows, len;
        final INDArray h, tmp, xhatF, rstdF, hf, logits, ones, byWidth, stat;
        final INDArray[] hRows, dhRows;
        final Layer[] perLayer;
        // backward only
        final INDArray dLogits, dh, dTmp, dTmp2, dY, dYByHead, dYh, dYh3, yTmp, yTmp2d, dP, dP3, dP2d;
        final INDArray dQ, dK, dV, dQ3, dK3, dV3, dQkv, dU, fTmp, lnTmp, mean1, mean2;
        final INDArray[] dQkvParts;

        Buffers(int rows, int len, boolean train) {
            this.rows = rows;
            this.len = len;
            int n = rows * len;
            h = make(n, d);
            tmp = make(n, d);
            xhatF = make(n, d);
            rstdF = make(n, 1);
            hf = make(n, d);
            logits = make(n, w);
            ones = Nd4j.ones(type, 1, n);
            byWidth = Nd4j.ones(type, d, 1).divi(d);
            stat = make(n, 1);
            hRows = rowsOf(h, rows, len);
            perLayer = new Layer[train ? layers : 1];
            for (int l = 0; l < perLayer.length; l++) perLayer[l] = new Layer(rows, len, train);
            if (!train) {
                dLogits = dh = dTmp = dTmp2 = dY = dYByHead = dYh = dYh3 = yTmp = yTmp2d = dP = dP3 = dP2d = null;
                dQ = dK = dV = dQ3 = dK3 = dV3 = dQkv = dU = fTmp = lnTmp = mean1 = mean2 = null;
                dQkvParts = null;
                dhRows = null;
                return;
            }
            dLogits = make(n, w);
            dh = make(n, d);
            dhRows = rowsOf(dh, rows, len);
            dTmp = make(n, d);
            dTmp2 = make(n, d);
            dY = make(n, d);
            dYByHead = dY.reshape(rows, len, heads, hd).permute(0, 2, 1, 3);
            dYh = make(rows, heads, len, hd);
            dYh3 = dYh.reshape(rows * heads, len, hd);
            yTmp = make(rows, heads, len, hd);
            yTmp2d = yTmp.reshape((long) rows * heads * len, hd);
            dP = make(rows, heads, len, len);
            dP3 = dP.reshape(rows * heads, len, len);
            dP2d = dP.reshape((long) rows * heads * len, len);
            dQ = make(rows, heads, len, hd);
            dK = make(rows, heads, len, hd);
            dV = make(rows, heads, len, hd);
            dQ3 = dQ.reshape(rows * heads, len, hd);
            dK3 = dK.reshape(rows * heads, len, hd);
            dV3 = dV.reshape(rows * heads, len, hd);
            dQkv = make(n, 3 * d);
            dQkvParts = byHead(dQkv, rows, len);
            dU = make(n, f);
            fTmp = make(n, f);
            lnTmp = make(n, d);
            mean1 = make(n, 1);
            mean2 = make(n, 1);
        }

        /** The attention bias as a Java array, copied once per piece shape (it depends only on the length). */
        private float[] biasF;
        private double[] biasD;

        void softmaxCausal(INDArray p, INDArray bias) {
            boolean perHead = bias.size(1) != 1;
            if (type == DataType.FLOAT) {
                if (biasF == null) biasF = bias.dup('c').data().asFloat();
                TransformerKernels.softmaxCausal(p, biasF, heads, len, perHead);
            } else {
                if (biasD == null) biasD = bias.dup('c').data().asDouble();
                TransformerKernels.softmaxCausal(p, biasD, heads, len, perHead);
            }
        }

        Layer layer(int l) {
            return perLayer[perLayer.length == 1 ? 0 : l];
        }

        private INDArray[] rowsOf(INDArray a, int rows, int len) {
            INDArray[] out = new INDArray[rows];
            for (int r = 0; r < rows; r++) out[r] = a.get(NDArrayIndex.interval((long) r * len, (long) (r + 1) * len), NDArrayIndex.all());
            return out;
        }
    }
}
