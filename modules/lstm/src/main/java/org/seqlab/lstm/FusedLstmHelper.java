package org.seqlab.lstm;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BidirectionalLayer;
import org.deeplearning4j.nn.layers.recurrent.FwdPassReturn;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.layers.recurrent.LSTMHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.optim.LargeProducts;
import org.seqlab.optim.LstmKernel;
import org.seqlab.optim.FusedKernels;
import org.seqlab.optim.LstmSteps;
import org.seqlab.optim.ShapeCache;

import java.lang.reflect.Field;
import java.util.Map;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * DL4J's LSTM layer computed the way the hand-rolled cells are: the input projection of every step
 * in one gemm, per-shape buffers made once with their per-step views, a step loop of one gemm and
 * a few element-wise ops with no allocation, and a backward pass whose factors that do not depend
 * on the incoming gradient are computed for all steps at once. DL4J's built-in path allocates and
 * duplicates arrays at every step and recomputes the forward pass before every backward pass.
 * <p>
 * The layer, its configuration, parameters and serialisation stay DL4J's: this is the
 * {@link LSTMHelper} slot DL4J keeps for cuDNN, filled by {@link #install}. It reproduces the
 * built-in path's arithmetic, quirks included: a feature mask zeroes the output and the cell state
 * at masked steps in the forward pass only, and the cell derivative is taken at the masked state.
 * Anything it does not handle (peephole or non-sigmoid gates, 2-d input, backwards direction)
 * returns null, which makes DL4J use its own path.
 */
final class FusedLstmHelper implements LSTMHelper {
    /** DL4J's gate blocks: block input (the layer's activation, tanh), forget, output, input gate. */
    private static final int A = 0, F = 1, O = 2, I = 3;
    private static final Field HELPER = field(LSTM.class, "helper");
    private static final Field BIDIRECTIONAL_FWD = field(BidirectionalLayer.class, "fwd"), BIDIRECTIONAL_BWD = field(BidirectionalLayer.class, "bwd");

    /** Per (steps, batch) shape; the layer's width and the network's precision are fixed. */
    private final ShapeCache<Buffers> cache = new ShapeCache<>();
    /** The last training forward pass, reused by the forward pass for backprop that DL4J asks for next. */
    private Pass kept;
    /** Scratch of the copies between DL4J's [rows, features, steps] arrays and the row-major buffers. */
    private final TimeMajorCopies copies = new TimeMajorCopies();
    /** False for the network's first layer: the gradient with respect to the data is never read. */
    private final boolean inputGradient;

    FusedLstmHelper(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    /** Puts a helper into every LSTM layer of {@code net}, both directions of a bidirectional one included; returns how many. */
    static int install(MultiLayerNetwork net) {
        int[] n = {0};
        forEachLayer(net, (outer, l) -> {
            if (!(l instanceof LSTM lstm)) return;
            try {
                HELPER.set(lstm, new FusedLstmHelper(outer.getIndex() > 0));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("DL4J's LSTM changed: " + e, e);
            }
            n[0]++;
        });
        return n[0];
    }

    /** Every layer of {@code net} with the network layer that holds it: a bidirectional wrapper's two directions, any other layer itself. */
    static void forEachLayer(MultiLayerNetwork net, java.util.function.BiConsumer<Layer, Layer> action) {
        for (Layer layer : net.getLayers()) {
            if (layer instanceof BidirectionalLayer b) {
                action.accept(layer, field(b, BIDIRECTIONAL_FWD));
                action.accept(layer, field(b, BIDIRECTIONAL_BWD));
            } else {
                action.accept(layer, layer);
            }
        }
    }

    /** The layers of a bidirectional wrapper (private in DL4J). */
    static Layer field(BidirectionalLayer b, Field f) {
        try {
            return (Layer) f.get(b);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("DL4J's BidirectionalLayer changed: " + e, e);
        }
    }

    /** The helper of {@code layer}, or null (DL4J's built-in path). */
    static LSTMHelper of(LSTM layer) {
        try {
            return (LSTMHelper) HELPER.get(layer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("DL4J's LSTM changed: " + e, e);
        }
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's " + type.getSimpleName() + " has no field " + name, e);
        }
    }

    /** A forward pass and the buffers that hold it, for the backward pass. */
    private static final class Pass extends FwdPassReturn {
        final Buffers buffers;
        final long generation;
        final INDArray input;
        final INDArray mask;       // a copy, or null when nothing is masked

        Pass(Buffers buffers, INDArray input, INDArray mask) {
            this.buffers = buffers;
            this.generation = buffers.generation;
            this.input = input;
            this.mask = mask;
        }
    }

    /**
     * Scratch arrays for one (steps, batch) shape. With the fused kernels the step loop works
     * row-major, as the hand-rolled cell does: step t's pre-activations are the [batch, 4·hidden]
     * slab of the input projection itself, and the outputs, the pre-activations' gradients and
     * the weight gradients' products stay in that layout, so a pass transposes only its input
     * and its output. Without the kernels it works feature-major: step t's pre-activations are a
     * [4·hidden, batch] slab whose gate blocks are contiguous [hidden, batch] slabs (an
     * element-wise op on a contiguous block is 3-4x faster in ND4J than on a column block of a
     * row-major matrix), copied from and to row-major [steps·batch, n] arrays for the large
     * products (the input projection and the weight gradients), which run once over all steps.
     */
    private static final class Buffers {
        final DataType type;
        final int steps, batch, in, hidden;
        // both layouts: the row-major input, input projection (then its gradient), input gradient, and the mask
        final INDArray xRow3, xRow, zRow3, zRow, dxRow3, dxRow, mask3, ones, biasSum;
        // row-major (kernels): outputs of every step after the initial one, [steps + 1, batch, hidden]; the cells at both ends
        final INDArray hR3, hR, c0R, cLastR, dOutR3, dhR;
        /**
         * The output handed to DL4J outside its workspaces, [batch, hidden, steps] in f order,
         * reused by every pass of this shape: a fresh one per pass was 8% of a training step (its
         * pages faulted in on every pass). DL4J reads it before the next pass.
         */
        final INDArray out3;
        final INDArray[] zRT, hRT;
        // feature-major (ND4J's element-wise ops)
        final INDArray z3, act3, h3, c3, tc3, tcMasked3, p3, q3, tmp3, dz3, dOut3, hRow3, hRow;
        final INDArray dhNext, dc, dcNext, ig;
        final INDArray[] zT, zaT, zGatesT, actGatesT, actRowT, tcT, qT, dOutT, dzT, maskT, hT, cT;
        final INDArray[][] actT, pT, dzGT;   // [t][gate]
        final long bytes;
        long generation;
        /** The fused kernels' side of a pass (null: ND4J's element-wise ops, without the Vector API). */
        final LstmSteps fused;
        /** The mask of every step, [steps][batch], read once a masked pass. */
        final double[] maskValues;

        Buffers(DataType type, int steps, int batch, int in, int hidden) {
            this.type = type;
            this.steps = steps;
            this.batch = batch;
            this.in = in;
            this.hidden = hidden;
            long n = (long) steps * batch, g = 4L * hidden;
            // a row-major [batch, 4·hidden] step, in DL4J's gate order a, f, o, i
            fused = FusedKernels.enabled() ? new LstmSteps(type, steps, new LstmKernel.Layout(batch, hidden, 4 * hidden, 3 * hidden, hidden, 0, 2 * hidden)) : null;
            maskValues = fused != null ? new double[steps * batch] : null;
            boolean ew = fused == null;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                xRow3 = create(steps, batch, in);
                xRow = xRow3.reshape('c', n, in);
                zRow3 = create(steps, batch, g);
                zRow = zRow3.reshape('c', n, g);
                dxRow3 = create(steps, batch, in);
                dxRow = dxRow3.reshape('c', n, in);
                mask3 = create(steps, 1, batch);
                out3 = Nd4j.create(type, new long[]{batch, hidden, steps}, 'f');
                allocated += out3.length();
                ones = create(1, n).assign(1);
                biasSum = create(1, g);
                hR3 = ew ? null : create(steps + 1, batch, hidden);
                hR = ew ? null : hR3.reshape('c', (steps + 1L) * batch, hidden);
                c0R = ew ? null : create(batch, hidden);
                cLastR = ew ? null : create(batch, hidden);
                dOutR3 = ew ? null : create(steps, batch, hidden);
                dhR = ew ? null : create(batch, hidden);
                z3 = ew ? create(steps, g, batch) : null;
                act3 = ew ? create(steps, g, batch) : null;
                h3 = ew ? create(steps + 1, hidden, batch) : null;
                c3 = ew ? create(steps + 1, hidden, batch) : null;
                tc3 = ew ? create(steps, hidden, batch) : null;
                tcMasked3 = ew ? create(steps, hidden, batch) : null;
                p3 = ew ? create(steps, g, batch) : null;
                q3 = ew ? create(steps, hidden, batch) : null;
                tmp3 = ew ? create(steps, hidden, batch) : null;
                dz3 = ew ? create(steps, g, batch) : null;
                dOut3 = ew ? create(steps, hidden, batch) : null;
                hRow3 = ew ? create(steps, batch, hidden) : null;
                hRow = ew ? hRow3.reshape('c', n, hidden) : null;
                dhNext = ew ? create(hidden, batch) : null;
                dc = ew ? create(hidden, batch) : null;
                dcNext = ew ? create(hidden, batch) : null;
                ig = ew ? create(hidden, batch) : null;
            }
            bytes = allocated * type.width() + (fused != null ? fused.bytes() + 8L * maskValues.length : 0);
            zRT = new INDArray[steps]; hRT = new INDArray[steps + 1];
            zT = new INDArray[steps]; zaT = new INDArray[steps]; zGatesT = new INDArray[steps]; actGatesT = new INDArray[steps]; actRowT = new INDArray[steps]; tcT = new INDArray[steps];
            qT = new INDArray[steps]; dOutT = new INDArray[steps]; dzT = new INDArray[steps]; maskT = new INDArray[steps];
            hT = new INDArray[steps + 1]; cT = new INDArray[steps + 1];
            actT = new INDArray[steps][4]; pT = new INDArray[steps][4]; dzGT = new INDArray[steps][4];
            if (!ew) {
                for (int t = 0; t < steps; t++) zRT[t] = slab(zRow3, t);
                for (int t = 0; t <= steps; t++) hRT[t] = slab(hR3, t);
            } else {
                for (int t = 0; t < steps; t++) {
                    zT[t] = slab(z3, t);
                    dzT[t] = slab(dz3, t);
                    zaT[t] = block(zT[t], A, hidden);
                    actRowT[t] = slab(act3, t);
                    zGatesT[t] = zT[t].get(interval(hidden, 4L * hidden), all());          // blocks F, O, I: contiguous
                    actGatesT[t] = actRowT[t].get(interval(hidden, 4L * hidden), all());
                    tcT[t] = slab(tc3, t);
                    qT[t] = slab(q3, t);
                    dOutT[t] = slab(dOut3, t);
                    maskT[t] = slab(mask3, t);
                    INDArray pp = slab(p3, t);
                    for (int k = 0; k < 4; k++) {
                        actT[t][k] = block(actRowT[t], k, hidden);
                        pT[t][k] = block(pp, k, hidden);
                        dzGT[t][k] = block(dzT[t], k, hidden);
                    }
                }
                for (int t = 0; t <= steps; t++) {
                    hT[t] = slab(h3, t);
                    cT[t] = slab(c3, t);
                }
            }
        }

        /** Every step's output, [steps, batch, hidden] (row-major) or [steps, hidden, batch] (feature-major). */
        INDArray outputs() {
            return fused != null ? steps(hR3, 1, steps + 1) : steps(h3, 1, steps + 1);
        }

        /** The output before the first step as DL4J holds it, [batch, hidden]. */
        INDArray initialOutput() {
            return fused != null ? hRT[0] : hT[0].transpose();
        }

        /** The cell before the first step as DL4J holds it, [batch, hidden]. */
        INDArray initialCell() {
            return fused != null ? c0R : cT[0].transpose();
        }

        private long allocated;

        /** A buffer of this precision, counted in {@link #bytes}. */
        private INDArray create(long... shape) {
            INDArray a = Nd4j.create(type, shape);
            allocated += a.length();
            return a;
        }
    }

    /** Step t of a [steps, m, batch] array: a contiguous [m, batch] slab. */
    private static INDArray slab(INDArray a3, int t) {
        return a3.get(point(t), all(), all());
    }

    /** Gate block k of a [4·hidden, batch] slab (contiguous), or of a [steps, 4·hidden, batch] array (every step). */
    private static INDArray block(INDArray a, int k, int hidden) {
        return a.rank() == 2 ? a.get(interval((long) k * hidden, (long) (k + 1) * hidden), all())
                : a.get(all(), interval((long) k * hidden, (long) (k + 1) * hidden), all());
    }

    /** Steps [from, to) of a [steps, ...] array. */
    private static INDArray steps(INDArray a3, int from, int to) {
        return a3.get(interval(from, to), all(), all());
    }

    /** Rows {@code [from*batch, to*batch)} of a time-major row matrix. */
    private static INDArray span(INDArray m, int from, int to, int batch) {
        return m.get(interval((long) from * batch, (long) to * batch), all());
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public boolean checkSupported(IActivation gateActivationFn, IActivation activationFn, boolean hasPeepholeConnections) {
        return gateActivationFn instanceof ActivationSigmoid && activationFn instanceof ActivationTanH && !hasPeepholeConnections;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        long bytes = 0;
        for (Buffers b : cache.values()) bytes += b.bytes;
        return Map.of("fused LSTM buffers", bytes);
    }

    @Override
    public FwdPassReturn activate(Layer layer, NeuralNetConfiguration conf, IActivation gateActivationFn, INDArray input,
                                  INDArray recurrentWeights, INDArray inputWeights, INDArray biases, boolean training,
                                  INDArray prevOutputActivations, INDArray prevMemCellState, boolean forBackprop,
                                  boolean forwards, String inputWeightKey, INDArray maskArray,
                                  boolean hasPeepholeConnections, LayerWorkspaceMgr workspaceMgr) {
        IActivation activation = ((org.deeplearning4j.nn.conf.layers.BaseLayer) conf.getLayer()).getActivationFn();
        if (!forwards || input.rank() != 3 || !checkSupported(gateActivationFn, activation, hasPeepholeConnections)) {
            kept = null;
            return null;                                                       // DL4J's own path
        }
        int batch = (int) input.size(0), in = (int) input.size(1), steps = (int) input.size(2);
        int hidden = (int) recurrentWeights.size(0);
        INDArray mask = maskArray != null && maskArray.minNumber().doubleValue() < 1 ? maskArray : null;
        Pass pass = forBackprop ? reusable(input, prevOutputActivations, prevMemCellState, mask) : null;
        if (pass == null) pass = forward(input, recurrentWeights, inputWeights, biases, prevOutputActivations,
                prevMemCellState, mask, steps, batch, in, hidden);
        kept = training && !forBackprop ? pass : null;
        Buffers s = pass.buffers;
        // every element is written: outside DL4J's workspaces, the shape's reused array (DL4J checks
        // the workspace of what a layer hands on when it keeps activations in one)
        INDArray out = workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS) || !workspaceMgr.hasConfiguration(ArrayType.ACTIVATIONS)
                ? s.out3 : workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, s.type, new long[]{batch, hidden, steps}, 'f');
        if (s.fused != null) copies.toDl4j(s.outputs(), out);
        else out.assign(s.outputs().permute(2, 1, 0));                       // the same memory order
        pass.fwdPassOutput = out;
        return pass;
    }

    /** The kept training pass when DL4J asks again for the same input from the same state. */
    private Pass reusable(INDArray input, INDArray prevAct, INDArray prevMem, INDArray mask) {
        Pass k = kept;
        if (k == null || k.input != input || k.generation != k.buffers.generation) return null;
        Buffers s = k.buffers;
        if (!same(s.initialOutput(), prevAct) || !same(s.initialCell(), prevMem)) return null;
        if (mask == null ? k.mask != null : k.mask == null || !same(k.mask, mask)) return null;
        return k;
    }

    private static boolean same(INDArray a, INDArray b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) return false;
        INDArray d = a.sub(b.castTo(a.dataType()));
        boolean equal = d.amaxNumber().doubleValue() == 0;
        if (d.closeable()) d.close();
        return equal;
    }

    private Pass forward(INDArray input, INDArray rw, INDArray w, INDArray b, INDArray prevAct, INDArray prevMem,
                         INDArray mask, int steps, int batch, int in, int hidden) {
        Buffers s = cache.get(steps, batch, () -> new Buffers(rw.dataType(), steps, batch, in, hidden));
        s.generation++;
        copies.toTimeMajor(input, s.xRow3);                                   // [rows, in, T] -> [T, rows, in]
        LargeProducts.gemm(s.xRow, w, s.zRow, false, false, 1.0, 0.0);        // x_t W for all steps
        s.zRow.addiRowVector(b);                                               //   + b
        if (s.fused == null) s.z3.assign(s.zRow3.permute(0, 2, 1));           // feature-major slabs
        INDArray h0 = s.initialOutput(), c0 = s.initialCell();
        if (prevAct != null) h0.assign(prevAct); else h0.assign(0);
        if (prevMem != null) c0.assign(prevMem); else c0.assign(0);
        INDArray maskCopy = null;
        if (mask != null) {
            s.mask3.assign(mask.transpose().reshape(steps, 1, batch));
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                maskCopy = mask.dup();
            }
        }
        INDArray hLast, cLast;
        if (s.fused != null) {
            if (mask != null) System.arraycopy(s.mask3.data().asDouble(), 0, s.maskValues, 0, steps * batch);
            s.fused.initialCell(s.c0R);
            for (int t = 0; t < steps; t++) {
                Nd4j.gemm(s.hRT[t], rw, s.zRT[t], false, false, 1.0, 1.0);    // + h_{t-1} RW
                s.fused.forward(t, s.zRT[t], s.hRT[t + 1], mask != null ? s.maskValues : null, t * batch);
            }
            s.fused.cell(steps, s.cLastR);
            hLast = s.hRT[steps];
            cLast = s.cLastR;
        } else {
            elementWiseForward(s, rw, mask != null, steps);
            hLast = s.hT[steps].transpose();
            cLast = s.cT[steps].transpose();
        }
        Pass pass = new Pass(s, input, maskCopy);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            pass.lastAct = hLast.dup('c');                                    // kept by DL4J as carried state
            pass.lastMemCell = cLast.dup('c');
        }
        pass.prevAct = prevAct;
        pass.prevMemCell = prevMem;
        return pass;
    }

    /** The step loop in ND4J's element-wise ops, where the fused kernels do not run. */
    private static void elementWiseForward(Buffers s, INDArray rw, boolean masked, int steps) {
        for (int t = 0; t < steps; t++) {
            INDArray[] a = s.actT[t];
            Nd4j.gemm(rw, s.hT[t], s.zT[t], true, false, 1.0, 1.0);           // + RW^T h_{t-1}
            Nd4j.exec(new Sigmoid(s.zGatesT[t], s.actGatesT[t]));                // forget, output, input gates
            Nd4j.exec(new Tanh(s.zaT[t], a[A]));                                // block input
            a[F].mul(s.cT[t], s.cT[t + 1]);                                     // c_t = f ⊙ c_{t-1}
            a[I].mul(a[A], s.ig);
            s.cT[t + 1].addi(s.ig);                                             //     + i ⊙ a
            Nd4j.exec(new Tanh(s.cT[t + 1], s.tcT[t]));
            a[O].mul(s.tcT[t], s.hT[t + 1]);                                    // h_t = o ⊙ tanh(c_t)
            if (masked) {                                                       // DL4J zeroes masked steps' h and c
                s.hT[t + 1].muliRowVector(s.maskT[t]);
                s.cT[t + 1].muliRowVector(s.maskT[t]);
            }
        }
    }

    /** The backward sweep in ND4J's element-wise ops, where the fused kernels do not run. */
    private static void elementWiseBackward(Buffers s, INDArray recurrentWeights, boolean masked, int from) {
        int steps = s.steps, hidden = s.hidden;
        INDArray a = block(s.act3, A, hidden), f = block(s.act3, F, hidden), o = block(s.act3, O, hidden), i = block(s.act3, I, hidden);
        INDArray cPrev = steps(s.c3, 0, steps), tcm = s.tc3;
        if (masked) {                                                      // DL4J's derivative is at the masked c
            Nd4j.exec(new Tanh(steps(s.c3, 1, steps + 1), s.tcMasked3));
            tcm = s.tcMasked3;
        }
        // factors of dL/dz that do not depend on the incoming gradient, all steps at once
        a.mul(a, block(s.p3, A, hidden)).rsubi(1.0).muli(i);                   // dz_a = dc ⊙ i ⊙ (1-a²)
        cPrev.mul(f, block(s.p3, F, hidden)).muli(f.rsub(1.0, s.tmp3));        // dz_f = dc ⊙ c_{t-1} ⊙ f(1-f)
        s.tc3.mul(o, block(s.p3, O, hidden)).muli(o.rsub(1.0, s.tmp3));        // dz_o = dh ⊙ tanh(c) ⊙ o(1-o)
        a.mul(i, block(s.p3, I, hidden)).muli(i.rsub(1.0, s.tmp3));            // dz_i = dc ⊙ a ⊙ i(1-i)
        tcm.mul(tcm, s.q3).rsubi(1.0).muli(o);                                 // dc += dh ⊙ o ⊙ (1-tanh²(c))
        for (int t = steps - 1; t >= from; t--) {
            INDArray dh = s.dOutT[t];
            if (t < steps - 1) dh.addi(s.dhNext);                              // dL/dh_t: output + step t+1
            dh.mul(s.qT[t], s.dc);
            if (t < steps - 1) s.dc.addi(s.dcNext);                            // dL/dc_t: via h_t + via c_{t+1}
            INDArray[] pt = s.pT[t], dzt = s.dzGT[t];
            s.dc.mul(pt[A], dzt[A]);
            s.dc.mul(pt[F], dzt[F]);
            s.dc.mul(pt[I], dzt[I]);
            dh.mul(pt[O], dzt[O]);
            if (t > from) {
                s.dc.mul(s.actT[t][F], s.dcNext);                              // dL/dc_{t-1} = dc ⊙ f
                Nd4j.gemm(recurrentWeights, s.dzT[t], s.dhNext, false, false, 1.0, 0.0);   // dL/dh_{t-1} = RW dz
            }
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(NeuralNetConfiguration conf, IActivation gateActivationFn, INDArray input,
                                                     INDArray recurrentWeights, INDArray inputWeights, INDArray epsilon,
                                                     boolean truncatedBPTT, int tbpttBackwardLength, FwdPassReturn fwdPass,
                                                     boolean forwards, String inputWeightKey, String recurrentWeightKey,
                                                     String biasWeightKey, Map<String, INDArray> gradientViews,
                                                     INDArray maskArray, boolean hasPeepholeConnections,
                                                     LayerWorkspaceMgr workspaceMgr) {
        if (!(fwdPass instanceof Pass pass)) return null;                       // DL4J's own forward pass
        Buffers s = pass.buffers;
        if (pass.generation != s.generation)
            throw new IllegalStateException("the fused LSTM's forward pass was overwritten before its backward pass");
        int steps = s.steps, batch = s.batch, hidden = s.hidden;
        int from = truncatedBPTT ? Math.max(0, steps - tbpttBackwardLength) : 0;
        INDArray dz, hPrev;
        if (s.fused != null) {
            copies.toTimeMajor(epsilon, s.dOutR3);                              // [rows, hidden, T] -> [T, rows, hidden]
            s.fused.outputGradient(s.dOutR3);
            if (pass.mask != null) s.fused.deriveAtStoredCells();                     // DL4J's derivative is at the masked c
            for (int t = steps - 1; t >= from; t--) {
                s.fused.backward(t, t == steps - 1, s.dhR, s.zRT[t]);           // dz_t (over the spent projection), and dc for step t-1
                if (t > from) Nd4j.gemm(s.zRT[t], recurrentWeights, s.dhR, false, true, 1.0, 0.0);   // dL/dh_{t-1} = dz RW^T
            }
            hPrev = span(s.hR, from, steps, batch);
        } else {
            s.dOut3.assign(epsilon.permute(2, 1, 0));                          // [rows, hidden, T] -> [T, hidden, rows]
            elementWiseBackward(s, recurrentWeights, pass.mask != null, from);
            // the weight gradients and the input's, over all steps at once, on row-major copies
            steps(s.zRow3, from, steps).assign(steps(s.dz3, from, steps).permute(0, 2, 1));
            steps(s.hRow3, from, steps).assign(steps(s.h3, from, steps).permute(0, 2, 1));
            hPrev = span(s.hRow, from, steps, batch);
        }
        dz = span(s.zRow, from, steps, batch);
        INDArray gW = gradientViews.get(inputWeightKey), gRW = gradientViews.get(recurrentWeightKey), gB = gradientViews.get(biasWeightKey);
        LargeProducts.gemm(hPrev, dz, gRW, true, false, 1.0, 0.0);           // dRW = Σ h_{t-1}^T dz_t
        LargeProducts.gemm(span(s.xRow, from, steps, batch), dz, gW, true, false, 1.0, 0.0);    // dW  = Σ x_t^T dz_t
        if (inputGradient) LargeProducts.gemm(dz, inputWeights, span(s.dxRow, from, steps, batch), false, true, 1.0, 0.0);   // dL/dx = dz W^T
        LargeProducts.columnSums(dz, s.ones.get(all(), interval(0, dz.rows())), s.biasSum);   // db = Σ dz_t
        gB.assign(s.biasSum);                                                  //   (DL4J's gradient view: no product into it)
        INDArray epsilonNext;
        if (inputGradient) {
            epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, s.type, new long[]{batch, s.in, steps}, 'f');
            if (from > 0) span(s.dxRow, 0, from, batch).assign(0);
            copies.toDl4j(s.dxRow3, epsilonNext);
        } else {                                                                // never read: zeros, as DL4J makes them
            epsilonNext = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, s.type, new long[]{batch, s.in, steps}, 'f');
        }
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(inputWeightKey, gW);
        g.gradientForVariable().put(recurrentWeightKey, gRW);
        g.gradientForVariable().put(biasWeightKey, gB);
        return new Pair<>(g, epsilonNext);
    }
}
