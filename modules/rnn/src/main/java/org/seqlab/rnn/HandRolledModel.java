package org.seqlab.rnn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.optim.LargeProducts;
import org.seqlab.optim.ShapeCache;
import org.seqlab.core.Batch;
import org.seqlab.core.DropoutMasks;
import org.seqlab.core.EvalStats;
import org.seqlab.core.Generator;
import org.seqlab.core.InitialWeights;
import org.seqlab.core.Inspectable;
import org.seqlab.core.Json;
import org.seqlab.core.NamedWeights;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;
import org.seqlab.core.head.Heads;
import org.seqlab.core.head.OutputHead;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.BatchArrays;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.optim.Optimizer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The hand-rolled network: one-hot (or multi-hot frame, or real-valued) input, a stack of
 * recurrent cells with explicit BPTT and inverted dropout after each, and an output head
 * ({@link OutputHead}: softmax for tokens, independent Bernoullis or a NADE for frames, squared
 * error for values) on the top layer's states:
 * <pre>
 *   h^1_t = cell_1(x_t, h^1_{t-1});  h^l_t = cell_l(drop(h^{l-1}_t), h^l_{t-1});  loss_t = head(drop(h^L_t), y_t)
 * </pre>
 * The head's parameters lie at the end of the one flat parameter array, so the one optimiser,
 * clipping, moving average and checkpoint cover them. The head's projection {@code q = h Why + by}
 * runs here on BLAS (as the output layer always did); the head takes q and gives dL/dq back, and
 * its own tensors (a NADE's) are copied into it before each pass and their gradient copied back.
 * The loss being minimised is the mean over real steps of the per-step loss.
 */
public final class HandRolledModel implements SequenceModel, Inspectable, NamedWeights {
    static final String FAMILY = "handrolled";

    private final HandRolledConfig config;
    private final ModelShape shape;
    private final TrainingOptions options;
    private final long seed;
    private final Parameters params;
    private final List<RecurrentCell> cells = new ArrayList<>();
    private final OutputHead head;
    private final long headOffset;              // where the head's own tensors (after Why, by) start in the flat array
    private final INDArray why, by, gWhy, gBy;  // the head's projection
    private final double[] ownGradient;         // the head's own tensors' part of its gradient
    private final Optimizer updater;
    private final DropoutMasks dropoutMasks;    // null without dropout; the DL4J twin draws the same masks
    private INDArray[][] trainState, evalState;
    private INDArray lastOutput;   // the top layer's output of the last forward pass (after dropout)

    HandRolledModel(HandRolledConfig config, ModelShape shape, TrainingOptions options, long seed) {
        this.config = config;
        this.shape = shape;
        this.options = options;
        this.seed = seed;
        int v = shape.width(), h = config.hidden();
        DataType dtype = config.precision() == HandRolledConfig.Precision.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        List<Parameters.Spec> specs = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) specs.addAll(List.of(cellSpecs(l, l == 0 ? v : h)));
        long cellCount = 0;
        for (Parameters.Spec s : specs) cellCount += (long) s.rows() * s.cols();
        head = Heads.create(config.head(), shape, h);
        headOffset = cellCount + head.ownOffset();
        ownGradient = new double[head.parameters().length - head.ownOffset()];
        for (OutputHead.Tensor t : head.tensors()) specs.add(new Parameters.Spec(t.name(), t.rows(), t.cols()));
        params = new Parameters(dtype, specs.toArray(Parameters.Spec[]::new));
        initialise(new InitialWeights(options.init(), seed));
        for (int l = 0; l < config.layers(); l++) cells.add(newCell(l, l == 0 ? v : h));
        why = params.param("Why");
        by = params.param("by");
        gWhy = params.grad("Why");
        gBy = params.grad("by");
        updater = new Optimizer(options.optimizer(), options.clip(), dtype, params.layout());
        dropoutMasks = config.dropout() > 0 ? new DropoutMasks(config.dropout(), seed) : null;
    }

    /**
     * Starting weights in the shared canonical layout ({@link InitialWeights}), whose gate order
     * (LSTM i, f, g, o; GRU r, z, n) and [in, out] matrices are this family's own: a twin family
     * with the same seed and scheme starts from the same numbers.
     */
    private void initialise(InitialWeights init) {
        int v = shape.width(), h = config.hidden();
        for (int l = 0; l < config.layers(); l++) {
            String p = "l" + l + ".";
            int in = l == 0 ? v : h;
            switch (config.cell()) {
                case RNN -> {
                    InitialWeights.Recurrent r = init.recurrent(in, h, 1, -1, null);
                    params.set(p + "Wxh", r.wx());
                    params.set(p + "Whh", r.wh());
                    params.set(p + "bh", r.bias());
                }
                case LSTM -> {
                    InitialWeights.Recurrent r = init.recurrent(in, h, 4, 1, config.forgetBias());
                    params.set(p + "Wx", r.wx());
                    params.set(p + "Wh", r.wh());
                    params.set(p + "b", r.bias());
                }
                case GRU -> {
                    InitialWeights.Recurrent r = init.recurrent(in, h, 3, -1, null);
                    params.set(p + "Wx", r.wx());
                    params.set(p + "Wh", r.wh());
                    params.set(p + "bx", r.bx());
                    params.set(p + "bh", r.bh());
                }
            }
        }
        head.initialise(init, shape.kind() == OutputKind.FRAMES ? config.framePrior() : null);   // frame_prior: the keys' log-odds
        putHeadParameters();
    }

    /** The head's values into the flat array (after they were drawn). */
    private void putHeadParameters() {
        double[] p = head.parameters();
        int off = 0;
        for (OutputHead.Tensor t : head.tensors()) {
            params.set(t.name(), java.util.Arrays.copyOfRange(p, off, off + t.size()));
            off += t.size();
        }
    }

    /** The optimiser's current values of the head's own tensors into the head, before a pass. */
    private void syncHead() {
        if (ownGradient.length == 0) return;
        double[] own = new double[ownGradient.length];
        NativeArrays.getRange(params.flat, headOffset, own);
        System.arraycopy(own, 0, head.parameters(), head.ownOffset(), own.length);
    }

    private Parameters.Spec[] cellSpecs(int layer, int in) {
        String prefix = "l" + layer + ".";
        return switch (config.cell()) {
            case RNN -> VanillaRnnCell.specs(prefix, in, config.hidden());
            case LSTM -> LstmCell.specs(prefix, in, config.hidden());
            case GRU -> GruCell.specs(prefix, in, config.hidden());
        };
    }

    private RecurrentCell newCell(int layer, int in) {
        String prefix = "l" + layer + ".";
        return switch (config.cell()) {
            case RNN -> new VanillaRnnCell(params, prefix, in, config.hidden());
            case LSTM -> new LstmCell(params, prefix, in, config.hidden());
            case GRU -> new GruCell(params, prefix, in, config.hidden());
        };
    }

    @Override public String name() { return config.name(); }
    @Override public String family() { return FAMILY; }
    @Override public ModelConfig config() { return config; }
    @Override public ModelShape shape() { return shape; }
    @Override public long seed() { return seed; }
    @Override public long parameterCount() { return params.count(); }

    @Override
    public Map<String, NamedWeights.Tensor> namedWeights() {
        Map<String, NamedWeights.Tensor> out = new LinkedHashMap<>();
        params.params().forEach((name, a) -> out.put(name, new NamedWeights.Tensor(a.shape(), a.dup('c').reshape(-1).toDoubleVector())));
        return out;
    }

    /**
     * Frees the weights, gradients and optimiser state now; the per-shape scratch buffers are
     * dropped and go with the next collection.
     */
    @Override
    public void close() {
        for (INDArray a : new INDArray[]{params.flat, params.gradient})
            if (a.closeable() && !a.wasClosed()) a.close();
        updater.close();
        trainState = evalState = null;
        lastOutput = null;
    }

    /** Scratch arrays of the network for one (steps, rows) shape, reused across batches. */
    private final class Buffers {
        final INDArray x, q, dq;             // the head's projection and dL/dq
        final INDArray[] masks, dropped;     // per layer: dropout mask and the layer's output after it
        final float[] xs;                    // the batch's inputs as BatchArrays lays them out
        final double[] qValues, dqValues;
        final float[] maskFloats;            // one layer's dropout mask before it is copied in (float precision)
        final double[] maskDoubles;          //   (double precision)

        Buffers(int n) {
            int width = shape.width();
            x = Nd4j.create(params.dtype, n, width);
            q = Nd4j.create(params.dtype, n, head.projectionWidth());
            dq = Nd4j.create(params.dtype, n, head.projectionWidth());
            masks = new INDArray[cells.size()];
            dropped = new INDArray[cells.size()];
            if (config.dropout() > 0)
                for (int l = 0; l < cells.size(); l++) {
                    masks[l] = Nd4j.create(params.dtype, n, config.hidden());
                    dropped[l] = Nd4j.create(params.dtype, n, config.hidden());
                }
            xs = new float[n * width];
            boolean masks = config.dropout() > 0, floats = params.dtype == DataType.FLOAT;
            maskFloats = masks && floats ? new float[n * config.hidden()] : null;
            maskDoubles = masks && !floats ? new double[n * config.hidden()] : null;
            qValues = new double[n * head.projectionWidth()];
            dqValues = new double[n * head.projectionWidth()];
        }
    }

    private final ShapeCache<Buffers> buffers = new ShapeCache<>();

    /** A batch converted to time-major arrays (row t*B + b), plus the forward results. */
    private final class Pass {
        final int rows, steps, n, width = shape.width();
        final Buffers buf;
        final int[] tokenTargets;
        final float[] vectorTargets;     // multi-hot frames or real values
        final float[] mask;
        boolean dropout;

        Pass(Batch batch) {
            rows = batch.rows();
            steps = batch.length();
            n = rows * steps;
            buf = buffers.get(steps, rows, () -> new Buffers(n));
            BatchArrays.check(batch, shape);
            BatchArrays.Layout layout = BatchArrays.Layout.STEPS_ROWS_WIDTH;      // one step of every row is one matrix
            BatchArrays.inputs(batch, width, layout, buf.xs);
            mask = BatchArrays.perStep(batch.mask(), batch, layout);
            if (batch instanceof TokenBatch tb) {
                tokenTargets = BatchArrays.perStep(tb.targets(), batch, layout);
                vectorTargets = null;
            } else {
                // frames and values are both dense vectors per step; only the output differs
                tokenTargets = null;
                vectorTargets = new float[n * width];
                BatchArrays.targets(batch, width, layout, vectorTargets);
            }
            NativeArrays.put(buf.x, buf.xs);
        }

        /** Runs every layer; with {@code training}, inverted dropout follows each layer. */
        void forward(INDArray[][] state, boolean training) {
            dropout = training && config.dropout() > 0;
            INDArray input = buf.x;
            for (int l = 0; l < cells.size(); l++) {
                INDArray out = cells.get(l).forward(input, steps, rows, state == null ? null : state[l]);
                if (dropout) {
                    fillDropoutMask(buf, buf.masks[l]);
                    out = out.mul(buf.masks[l], buf.dropped[l]);
                }
                input = out;
            }
            lastOutput = input;
            LargeProducts.gemm(input, why, buf.q, false, false, 1.0, 0.0);          // q_t = h_t Why + by
            buf.q.addiRowVector(by);
            NativeArrays.get(buf.q, buf.qValues);
            syncHead();
        }

        /** The head's loss and dL/dq (of the mean loss) into {@code buf.dq}. */
        EvalStats train() {
            EvalStats stats = head.trainProjected(buf.qValues, n, tokenTargets, vectorTargets, mask, buf.dqValues);
            NativeArrays.put(buf.dq, buf.dqValues);
            return stats;
        }

        EvalStats loss() {
            return head.evaluateProjected(buf.qValues, n, tokenTargets, vectorTargets, mask, null, 1)[0];
        }

        /** {@link #loss}, row by row (the buffers hold one step of every row after another). */
        EvalStats[] rowLosses() {
            int[] group = new int[n];
            for (int i = 0; i < n; i++) group[i] = i % rows;
            return head.evaluateProjected(buf.qValues, n, tokenTargets, vectorTargets, mask, group, rows);
        }
    }

    /**
     * Keep each unit with probability 1-p and scale it by 1/(1-p), so evaluation needs no change:
     * the next mask of the shared stream ({@link DropoutMasks}, whose [step][row][unit] layout is
     * this family's row order). The values go through the shape's reused Java array (a fresh one
     * per call took 6% of a step).
     */
    private void fillDropoutMask(Buffers b, INDArray mask) {
        if (b.maskFloats != null) {
            dropoutMasks.fill(b.maskFloats, b.maskFloats.length);
            NativeArrays.put(mask, b.maskFloats);
        } else {
            dropoutMasks.fill(b.maskDoubles, b.maskDoubles.length);
            NativeArrays.put(mask, b.maskDoubles);
        }
    }

    private INDArray[][] finalStates() {
        INDArray[][] s = new INDArray[cells.size()][];
        for (int l = 0; l < cells.size(); l++) s[l] = cells.get(l).finalState();
        return s;
    }

    /** Forward and backward on {@code batch}: fills the gradient array, returns the summed loss. */
    EvalStats computeGradient(Batch batch) {
        Pass p = new Pass(batch);
        p.forward(batch.continues() ? trainState : null, true);
        Buffers b = p.buf;
        EvalStats stats = p.train();                                        // gradients of the mean loss
        if (ownGradient.length > 0) {
            System.arraycopy(head.gradient(), head.ownOffset(), ownGradient, 0, ownGradient.length);
            NativeArrays.putRange(params.gradient, headOffset, ownGradient);
        }
        int top = cells.size() - 1;
        INDArray hTop = lastOutput;
        LargeProducts.gemm(hTop, b.dq, gWhy, true, false, 1.0, 0.0);                // dWhy = sum_t h_t^T dq_t
        gBy.assign(b.dq.sum(true, 0));                                      // dby  = sum_t dq_t
        LargeProducts.gemm(b.dq, why, cells.get(top).outputGradient(), false, true, 1.0, 0.0); // dL/dh_t = dq Why^T
        for (int l = top; l >= 0; l--) {
            RecurrentCell c = cells.get(l);
            if (p.dropout) c.outputGradient().muli(b.masks[l]);             // through the dropout mask
            c.backward(l > 0 ? cells.get(l - 1).outputGradient() : null);   // BPTT, dL/dinput into the layer below
        }
        trainState = finalStates();
        return stats;
    }

    /** Every product of the step on the trial's BLAS threads (see {@link org.seqlab.optim.CoreBudget}). */
    @Override
    public EvalStats trainStep(Batch batch, double learningRate) {
        EvalStats stats = computeGradient(batch);
        updater.clip(params.gradient);
        updater.step(params.flat, params.gradient, learningRate);
        return stats;
    }

    @Override
    public boolean swapAveragedWeights() {
        return updater.swapAverage(params.flat);
    }

    @Override
    public EvalStats evaluate(Batch batch) {
        Pass p = new Pass(batch);
        p.forward(batch.continues() ? evalState : null, false);
        evalState = finalStates();
        return p.loss();
    }

    @Override
    public EvalStats[] evaluateRows(Batch batch) {
        Pass p = new Pass(batch);
        p.forward(batch.continues() ? evalState : null, false);
        evalState = finalStates();
        return p.rowLosses();
    }

    @Override
    public float[] logits(Batch batch) {
        Pass p = new Pass(batch);
        p.forward(null, false);
        double[] values = new double[p.n * p.width];
        head.outputsProjected(p.buf.qValues, p.n, values);
        float[] out = new float[p.n * p.width];
        for (int r = 0; r < p.rows; r++)
            for (int t = 0; t < p.steps; t++)
                for (int k = 0; k < p.width; k++)
                    out[(r * p.steps + t) * p.width + k] = (float) values[(t * p.rows + r) * p.width + k];
        return out;
    }

    @Override
    public Generator generator() {
        return new Stepper();
    }

    /** Stateful one-step inference; also records activations for the hidden-state pictures. */
    final class Stepper implements Generator {
        private INDArray[][] state = zeros();
        private double[] q;          // the head's projection at the last step

        private INDArray[][] zeros() {
            INDArray[][] s = new INDArray[cells.size()][];
            for (int l = 0; l < cells.size(); l++) {
                s[l] = new INDArray[cells.get(l).stateCount()];
                for (int i = 0; i < s[l].length; i++) s[l][i] = Nd4j.zeros(params.dtype, 1, config.hidden());
            }
            return s;
        }

        @Override
        public float[] next(int token) {
            INDArray x = Nd4j.zeros(params.dtype, 1, shape.width());
            x.putScalar(0, token, 1.0);
            return run(x);
        }

        @Override
        public float[] nextFrame(float[] frame) {
            return run(Nd4j.create(frame, new long[]{1, frame.length}, 'c').castTo(params.dtype));
        }

        private float[] run(INDArray x) {
            INDArray h = x;
            for (int l = 0; l < cells.size(); l++) h = cells.get(l).step(h, state[l]);
            q = h.mmul(why).addiRowVector(by).toDoubleVector();
            syncHead();
            double[] out = new double[shape.width()];
            head.outputsProjected(q, 1, out);
            float[] f = new float[out.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) out[i];
            return f;
        }

        /** The next frame from the head's distribution at the last step fed (a NADE draws key by key). */
        @Override
        public float[] sampleFrame(float[] output, double temperature, SplittableRandom random) {
            syncHead();
            return head.sampleFrameProjected(q, temperature, random);
        }

        /** Activations of the last step: "layer L hidden", "layer L forget gate", ... */
        Map<String, float[]> activations() {
            Map<String, float[]> m = new LinkedHashMap<>();
            for (int l = 0; l < cells.size(); l++)
                for (var e : cells.get(l).lastActivations().entrySet())
                    m.put("layer " + l + " " + e.getKey(), e.getValue().toFloatVector());
            return m;
        }

        @Override
        public void reset() {
            state = zeros();
        }
    }

    @Override
    public Map<String, float[][]> activations(int[] tokens) {
        Stepper g = new Stepper();
        Map<String, float[][]> out = new LinkedHashMap<>();
        for (int t = 0; t < tokens.length; t++) {
            g.next(tokens[t]);
            for (var e : g.activations().entrySet())
                out.computeIfAbsent(e.getKey(), k -> new float[tokens.length][])[t] = e.getValue();
        }
        return out;
    }

    /** What {@code config.json} in a saved model holds. */
    record Saved(HandRolledConfig config, ModelShape shape, TrainingOptions options, long seed, int iteration) {}

    @Override
    public void save(Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"),
                Json.write(new Saved(config, shape, options, seed, updater.iteration())));
        write(dir.resolve("params.bin"), params.flat);
        if (updater.state() != null) write(dir.resolve("updater.bin"), updater.state());
    }

    static HandRolledModel load(Path dir) throws IOException {
        Saved s = Json.read(dir.resolve("config.json"), Saved.class);
        HandRolledModel m = new HandRolledModel(s.config(), s.shape(), s.options(), s.seed());
        m.params.flat.assign(read(dir.resolve("params.bin")));
        Path u = dir.resolve("updater.bin");
        m.updater.restore(Files.exists(u) ? read(u) : null, s.iteration());
        return m;
    }

    private static void write(Path file, INDArray a) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            Nd4j.write(out, a);
        }
    }

    private static INDArray read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return Nd4j.read(in);
        }
    }

    Parameters parameters() {
        return params;
    }
}
