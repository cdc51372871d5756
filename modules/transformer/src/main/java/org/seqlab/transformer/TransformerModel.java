package org.seqlab.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.Batch;
import org.seqlab.core.EvalStats;
import org.seqlab.core.Generator;
import org.seqlab.core.Json;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelShape;
import org.seqlab.core.head.Heads;
import org.seqlab.core.head.OutputHead;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.BatchArrays;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.UserException;
import org.seqlab.core.train.Checkpoint;
import org.seqlab.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The SameDiff transformer behind {@link SequenceModel}. A batch is run in pieces: groups of
 * {@code micro_batch} rows, and along time in windows that fit the context. Each piece may start
 * with a prefix of earlier inputs that carry no loss: the tail of the previous batch when a batch
 * {@code continues} (the transformer's analogue of a carried hidden state), or the earlier half of
 * the window when a sequence is longer than the context (sliding-window evaluation). Gradients of
 * all pieces are summed with weights mask/steps, so they equal the gradient of the batch's mean loss.
 * The network ends in an output head ({@link OutputHead}, the object every family uses): its
 * projection q is the graph's final linear layer; the fused engine trains through the head, and
 * evaluation, logits and sampling go through it on either engine. A head's own tensors (a NADE's)
 * lie in the one flat parameter array, so the optimiser, clipping, moving average and checkpoints
 * cover them.
 */
public final class TransformerModel implements SequenceModel, org.seqlab.core.Inspectable, org.seqlab.core.NamedWeights {
    static final String FAMILY = "transformer";
    private static final float NEG = -1e9f;
    /** SameDiff's name for the gradient function it derives from the graph. */
    private static final String GRADIENT_FUNCTION = "grad";

    static {
        BoundedSessions.install();
    }

    private final TransformerConfig config;
    private final ModelShape shape;
    private final TrainingOptions options;
    private final long seed;
    private final TransformerGraph graph;
    private final OutputHead head;
    private final List<INDArray> params = new ArrayList<>();
    private final List<String> names;
    /** The gradient variable of each parameter, in {@link #names}' order, in {@link #gradientGraph} (samediff engine only). */
    private final List<String> gradientNames;
    private final org.nd4j.autodiff.samediff.SameDiff gradientGraph;
    /** The written-out passes (engine: fused), or null when the SameDiff graph trains. */
    private final FusedTransformer fused;
    private final INDArray[] grads;
    private final Optimizer optimizer;
    private final INDArray gradient;   // flat, in the parameters' layout; grads[i] are views into it
    private final SplittableRandom dropRandom;
    /** Where dropout masks are drawn before one bulk copy into native memory (reused: tens of MB a step). */
    private float[] maskScratch = new float[0];
    /**
     * Masks and positions per shape, the most recently used kept (generation walks through every
     * length up to the context, which would otherwise keep one of each); evicted ones are freed.
     */
    private final Map<String, INDArray> constants = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, INDArray> eldest) {
            if (size() <= 12) return false;
            if (eldest.getValue().closeable()) eldest.getValue().close();
            return true;
        }
    };
    /** The last inputs of each row of the previous batch (at most context − 1 steps, oldest first). */
    private float[][] carry;        // the context carried for the pass being run: training's or evaluation's
    private int[] carrySteps;
    /** Training and evaluation each carry their own context, so a validation pass does not cut a training sequence. */
    private float[][] trainCarry, evalCarry;
    private int[] trainCarrySteps, evalCarrySteps;

    TransformerModel(TransformerConfig config, ModelShape shape, TrainingOptions options, long seed) {
        this(config, shape, options, seed, true);
    }

    private TransformerModel(TransformerConfig config, ModelShape shape, TrainingOptions options, long seed, boolean applyInit) {
        this.config = config;
        this.shape = shape;
        this.options = options;
        this.seed = seed;
        validate(config, shape);
        this.head = Heads.create(config.head(), shape, config.embedding());
        this.graph = new TransformerGraph(config, shape, options.init(), seed, head);
        this.names = graph.paramNames();
        for (TransformerGraph.Param p : graph.params) params.add(graph.array(p));
        gradient = Nd4j.zeros(graph.type, graph.parameterCount());
        grads = graph.views(gradient);
        optimizer = new Optimizer(options.optimizer(), options.clip(), graph.type, graph.layout());
        dropRandom = new SplittableRandom(seed ^ 0x5DEECE66DL);
        if (config.engineOnThisBackend() == TransformerConfig.Engine.FUSED) {
            Map<String, INDArray> weights = new HashMap<>(), gradients = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                weights.put(names.get(i), params.get(i));
                gradients.put(names.get(i), grads[i]);
            }
            fused = new FusedTransformer(config, head, graph.type, weights, gradients);
            gradientGraph = null;
            gradientNames = null;
        } else {
            fused = null;
            MutedOutput.run(graph.sd::createGradFunction);   // SameDiff prints a line per differentiated op
            gradientGraph = graph.sd.getFunction(GRADIENT_FUNCTION);
            gradientNames = names.stream().map(n -> graph.sd.getVariable(n).getGradient().name()).toList();
        }
        if (applyInit && config.init() != null) startFrom(Path.of(config.init().checkpoint()));
    }

    /** Refuses combinations that cannot work, naming the field. */
    static void validate(TransformerConfig c, ModelShape shape) {
        org.seqlab.core.FramePrior.checkApplies(c.framePrior(), shape);
        Heads.checkApplies(c.head(), shape);
        if ("nade".equals(c.head().resolve(shape.kind())) && c.engineOnThisBackend() == TransformerConfig.Engine.SAMEDIFF)
            throw new org.seqlab.core.FieldException("engine", "output: nade trains on the fused engine only (the SameDiff graph keeps"
                    + " only the softmax, sigmoid and squared error; samediff is the default off the CPU); set engine: fused");
    }

    @Override public String name() { return config.name(); }
    @Override public String family() { return FAMILY; }
    @Override public ModelConfig config() { return config; }
    @Override public ModelShape shape() { return shape; }
    @Override public long seed() { return seed; }
    @Override public long parameterCount() { return graph.parameterCount(); }

    @Override
    public EvalStats trainStep(Batch batch, double learningRate) {
        EvalStats stats = backward(batch);
        optimizer.clip(gradient);
        optimizer.step(graph.flat, gradient, learningRate);
        return stats;
    }

    /** The gradient of the batch's mean loss, one array per parameter tensor, without updating (for gradient checks). */
    float[][] gradient(Batch batch) {
        backward(batch);
        float[][] out = new float[grads.length][];
        for (int i = 0; i < grads.length; i++) out[i] = grads[i].reshape(-1).toFloatVector();
        return out;
    }

    /** Adds {@code delta} to one element of parameter tensor {@code param} (for gradient checks). */
    void nudge(int param, long element, double delta) {
        INDArray p = params.get(param).reshape(-1);
        p.putScalar(element, p.getDouble(element) + delta);           // exact in double precision
    }

    /** Every parameter by its graph name (h0.attn.w, lnf.g, ...), as stored: a linear layer's weight is [in, out]. */
    @Override
    public Map<String, Tensor> namedWeights() {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++)
            out.put(names.get(i), new Tensor(params.get(i).shape(), params.get(i).reshape(-1).toDoubleVector()));
        return out;
    }

    List<String> parameterNames() {
        return names;
    }

    /** Fills {@link #grads} with the gradient of the batch's mean loss; returns the loss before any update. */
    private EvalStats backward(Batch batch) {
        gradient.assign(0);
        return pass(batch, true, null);
    }

    @Override
    public boolean swapAveragedWeights() {
        return optimizer.swapAverage(graph.flat);
    }

    @Override
    public EvalStats evaluate(Batch batch) {
        return pass(batch, false, null);
    }

    /** Row r's sums: the head's evaluation of the batch's projections, steps grouped by row. */
    @Override
    public EvalStats[] evaluateRows(Batch batch) {
        int n = batch.rows() * batch.length();
        double[] q = new double[n * head.projectionWidth()];
        pass(batch, false, q);                    // carries the context over a continued batch, as evaluate does
        int[] group = new int[n];
        for (int i = 0; i < n; i++) group[i] = i / batch.length();
        syncHead();
        return head.evaluateProjected(q, n, batch instanceof TokenBatch tb ? tb.targets() : null,
                batch instanceof org.seqlab.core.VectorBatch vb ? vb.targets() : null, batch.mask(), group, batch.rows());
    }

    /** What the head makes of each step's projection: logits, or the predictions for values. */
    @Override
    public float[] logits(Batch batch) {
        int n = batch.rows() * batch.length();
        double[] q = new double[n * head.projectionWidth()];
        pass(batch, false, q);
        double[] l = new double[n * shape.width()];
        syncHead();
        head.outputsProjected(q, n, l);
        float[] out = new float[l.length];
        for (int i = 0; i < l.length; i++) out[i] = (float) l[i];
        return out;
    }

    /** The current values of the head's own tensors (views into the flat parameters) into the head. */
    private void syncHead() {
        int at = head.ownOffset();
        double[] hp = head.parameters();
        for (int i = 0; i < names.size(); i++)
            if (graph.params.get(i).role() == TransformerGraph.Role.OWN) {
                double[] v = params.get(i).dup('c').data().asDouble();
                System.arraycopy(v, 0, hp, at, v.length);
                at += v.length;
            }
    }

    // ---- one batch, in pieces ----

    /** One batch: its stats, and (when {@code qOut} is given) the head's projections, row-major [rows·length × projectionWidth]. */
    private EvalStats pass(Batch b, boolean train, double[] qOut) {
        TokenBatch tokens = b instanceof TokenBatch tb ? tb : null;
        BatchArrays.check(b, shape);
        int rows = b.rows(), length = b.length(), w = shape.width(), pw = head.projectionWidth(), ctx = config.context();
        if (!train) syncHead();
        carry = train ? trainCarry : evalCarry;
        carrySteps = train ? trainCarrySteps : evalCarrySteps;
        if (!b.continues() || carry == null || carry.length != rows) {
            carry = new float[rows][(ctx - 1) * w];
            carrySteps = new int[rows];
            if (train) { trainCarry = carry; trainCarrySteps = carrySteps; }
            else { evalCarry = carry; evalCarrySteps = carrySteps; }
        }
        float[] mask = b.mask();
        double scale = 1.0 / Math.max(1, b.steps());   // weights mask/steps: gradient of the mean loss
        int group = config.microBatch() == null ? rows : Math.min(rows, config.microBatch());
        int chunk = length <= ctx ? length : (ctx + 1) / 2;
        EvalStats stats = EvalStats.ZERO;
        for (int r0 = 0; r0 < rows; r0 += group) {
            int g = Math.min(group, rows - r0);
            for (int t0 = 0; t0 < length; t0 += chunk) {
                int c = Math.min(chunk, length - t0);
                int prefix = ctx - c;
                for (int r = r0; r < r0 + g; r++) prefix = Math.min(prefix, carrySteps[r]);
                int len = prefix + c, n = g * len;
                float[] x = new float[n * w], y = train ? new float[n * w] : null;
                int[] pieceTokens = train && tokens != null ? new int[n] : null;     // the fused engine's targets
                double[] weights = train ? new double[n] : null;
                float[] pieceMask = new float[g * c], vectorTargets = tokens == null ? new float[g * c * w] : null;
                int[] tokenTargets = tokens != null ? new int[g * c] : null;
                for (int i = 0; i < g; i++) {
                    int r = r0 + i;
                    System.arraycopy(carry[r], (carrySteps[r] - prefix) * w, x, i * len * w, prefix * w);
                    for (int t = 0; t < c; t++) {
                        int src = r * length + t0 + t, dst = i * len + prefix + t, k = i * c + t;
                        pieceMask[k] = mask[src];
                        if (train) weights[dst] = mask[src] * scale;
                        BatchArrays.inputStep(b, src, w, x, dst * w);
                        if (train) BatchArrays.targetStep(b, src, w, y, dst * w);
                        if (pieceTokens != null) pieceTokens[dst] = tokens.targets()[src];
                        if (tokens != null) tokenTargets[k] = tokens.targets()[src];
                        else BatchArrays.targetStep(b, src, w, vectorTargets, k * w);
                    }
                }
                double[] q = run(g, len, x, y, pieceTokens, weights, train);
                if (train && fused != null) stats = stats.plus(fused.lastStats());        // the head's, from the pass itself
                else {
                    double[] own = new double[g * c * pw];
                    for (int i = 0; i < g; i++)
                        for (int t = 0; t < c; t++)
                            System.arraycopy(q, (i * len + prefix + t) * pw, own, (i * c + t) * pw, pw);
                    stats = stats.plus(head.evaluateProjected(own, g * c, tokenTargets, vectorTargets, pieceMask, null, 1)[0]);
                }
                if (qOut != null)
                    for (int i = 0; i < g; i++)
                        for (int t = 0; t < c; t++)
                            System.arraycopy(q, (i * len + prefix + t) * pw, qOut, ((r0 + i) * length + t0 + t) * pw, pw);
                for (int i = 0; i < g; i++) remember(r0 + i, x, i * len + prefix, c);
            }
        }
        return stats;
    }

    /** Appends {@code steps} input rows of a piece to row {@code r}'s carried context. */
    private void remember(int r, float[] x, int from, int steps) {
        int w = shape.width(), keep = config.context() - 1;
        int add = Math.min(steps, keep), kept = Math.min(carrySteps[r], keep - add);   // the newest keep steps
        float[] buf = carry[r];
        System.arraycopy(buf, (carrySteps[r] - kept) * w, buf, 0, kept * w);
        System.arraycopy(x, (from + steps - add) * w, buf, kept * w, add * w);
        carrySteps[r] = kept + add;
    }

    /** One forward (and backward when training) pass of a piece of {@code rows × len} steps. */
    /**
     * One forward (and backward when training) pass of a piece of {@code rows × len} steps. The
     * gradient function is executed directly rather than through {@code calculateGradientsAndOutputs},
     * which switches SameDiff's array releases off (see {@link BoundedSessions}); every array made
     * here, placeholders and outputs, is closed before returning, so a step leaves nothing to the GC.
     */
    private double[] run(int rows, int len, float[] x, float[] y, int[] tokens, double[] weights, boolean train) {
        int w = shape.width(), n = rows * len;
        if (fused != null) {
            INDArray bias = constants.computeIfAbsent("bias" + len, k -> attentionBias(len));
            INDArray in = typed(x, n, w), weight = train ? typed(weights, n, 1) : null;
            FusedTransformer.Targets target = train ? new FusedTransformer.Targets(tokens, tokens == null ? y : null) : null;
            Map<String, INDArray> masks = train ? dropMasks(rows, len) : Map.of();
            try {
                return fused.run(rows, len, in, target, weight, bias, masks);
            } finally {
                closeAll(masks.values());
                closeAll(java.util.Arrays.asList(in, weight));
            }
        }
        Map<String, INDArray> ph = placeholders(rows, len, x, train);
        Map<String, INDArray> out = null;
        try {
            if (train) {
                ph.put(TransformerGraph.Y, typed(y, n, w));
                ph.put(TransformerGraph.WEIGHTS, typed(weights, n));
                List<String> wanted = new ArrayList<>(gradientNames);
                wanted.add(TransformerGraph.LOGITS);
                out = gradientGraph.output(ph, wanted);
                for (int i = 0; i < grads.length; i++) grads[i].addi(out.get(gradientNames.get(i)));
            } else {
                out = graph.sd.output(ph, TransformerGraph.LOGITS);
            }
            return out.get(TransformerGraph.LOGITS).reshape(-1).toDoubleVector();
        } finally {
            closeAll(ph.values());
            if (out != null) closeAll(out.values());
        }
    }

    /** Bytes SameDiff keeps cached for reuse in this model's sessions (for tests). */
    long cachedBytes() {
        return BoundedSessions.cachedBytes(graph.sd) + (gradientGraph == null ? 0 : BoundedSessions.cachedBytes(gradientGraph));
    }

    /** Frees arrays made for one call now; cached constants (shared masks and positions) stay. */
    private void closeAll(java.util.Collection<INDArray> arrays) {
        for (INDArray a : arrays)
            if (a != null && !constants.containsValue(a) && a.closeable()) a.close();
    }

    /**
     * Gives back the model's native memory: SameDiff's cached arrays, the weights, gradients,
     * optimiser state and cached masks. The model must not be used afterwards.
     */
    @Override
    public void close() {
        BoundedSessions.release(graph.sd);
        if (gradientGraph != null) BoundedSessions.release(gradientGraph);
        List<INDArray> owned = new ArrayList<>(constants.values());
        constants.clear();
        owned.add(gradient);
        owned.add(graph.flat);
        for (INDArray a : owned) if (a.closeable() && !a.wasClosed()) a.close();
        optimizer.close();
    }

    /** The inputs of one piece: features, shapes, the attention bias, positions and dropout masks. */
    private Map<String, INDArray> placeholders(int rows, int len, float[] x, boolean train) {
        int w = shape.width(), n = rows * len;
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TransformerGraph.X, typed(x, n, w));
        ph.put(TransformerGraph.QKV_SHAPE, Nd4j.createFromArray((long) rows, len, 3L, config.heads(), config.headSize()));
        ph.put(TransformerGraph.BIAS, constants.computeIfAbsent("bias" + len, k -> attentionBias(len)));
        if (config.positions() == TransformerConfig.Positions.LEARNED)
            ph.put(TransformerGraph.POS, constants.computeIfAbsent("pos" + rows + "x" + len, k -> positions(rows, len)));
        if (train) ph.putAll(dropMasks(rows, len));
        else   // evaluation multiplies by a broadcast 1 of the same rank: no mask the size of the attention weights
            for (TransformerGraph.DropSite d : graph.drops) {
                int rank = d.attention() ? 4 : 2;
                ph.put(d.name(), constants.computeIfAbsent("ones" + rank, k -> Nd4j.ones(graph.type, broadcastOne(rank))));
            }
        return ph;
    }

    /** A fresh inverted-dropout mask for every drop site, in the graph's order (both engines draw the same masks). */
    private Map<String, INDArray> dropMasks(int rows, int len) {
        Map<String, INDArray> masks = new HashMap<>();
        for (TransformerGraph.DropSite d : graph.drops) {
            long[] s = d.attention() ? new long[]{rows, config.heads(), len, len} : new long[]{(long) rows * len, config.embedding()};
            masks.put(d.name(), dropMask(s, d.p()));
        }
        return masks;
    }

    /**
     * For the report's pictures: per block, the attention weights of the last {@code context}
     * tokens averaged over heads ([step][attended step]) and the residual stream ([step][unit]).
     */
    @Override
    public Map<String, float[][]> activations(int[] tokens) {
        int w = shape.width();
        int[] window = tokens.length <= config.context() ? tokens
                : java.util.Arrays.copyOfRange(tokens, tokens.length - config.context(), tokens.length);
        int len = window.length;
        float[] x = new float[len * w];
        for (int t = 0; t < len; t++) x[t * w + window[t]] = 1f;
        List<String> wanted = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            wanted.add(TransformerGraph.attention(l));
            wanted.add(TransformerGraph.residual(l));
        }
        Map<String, INDArray> ph = placeholders(1, len, x, false);
        Map<String, INDArray> out = graph.sd.output(ph, wanted.toArray(String[]::new));
        Map<String, float[][]> pictures = new java.util.LinkedHashMap<>();
        for (int l = 0; l < config.layers(); l++) {
            INDArray att = out.get(TransformerGraph.attention(l)).mean(0, 1);   // [T, T], mean over heads
            pictures.put("block " + l + " attention (mean over heads)", att.toFloatMatrix());
            INDArray stream = out.get(TransformerGraph.residual(l));   // unbounded: shown relative to its largest value
            double max = Math.max(1e-12, stream.amaxNumber().doubleValue());
            pictures.put("block " + l + " residual stream (÷ its max)", stream.div(max).toFloatMatrix());
        }
        closeAll(ph.values());
        closeAll(out.values());
        return pictures;
    }

    /** {@code values} as a c-order array of {@code shape} in the model's precision. */
    private INDArray typed(float[] values, long... shape) {
        if (graph.type == DataType.FLOAT) return Nd4j.create(values, shape, 'c');
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) d[i] = values[i];
        return Nd4j.create(d, shape, 'c');
    }

    private INDArray typed(double[] values, long... shape) {
        INDArray d = Nd4j.create(values, shape, 'c');
        if (graph.type == DataType.DOUBLE) return d;
        INDArray f = d.castTo(graph.type);
        d.close();
        return f;
    }

    /** The shape [1, …, 1] of {@code rank} dimensions. */
    private static long[] broadcastOne(int rank) {
        long[] shape = new long[rank];
        java.util.Arrays.fill(shape, 1L);
        return shape;
    }

    /** Causal mask (−1e9 above the diagonal) plus, for ALiBi, −slope·distance per head. */
    private INDArray attentionBias(int len) {
        boolean alibi = config.positions() == TransformerConfig.Positions.ALIBI;
        int heads = alibi ? config.heads() : 1;
        double[] bias = new double[heads * len * len];
        for (int h = 0; h < heads; h++) {
            double slope = alibi ? Math.pow(2, -8.0 * (h + 1) / config.heads()) : 0;
            for (int i = 0; i < len; i++)
                for (int j = 0; j < len; j++)
                    bias[(h * len + i) * len + j] = j > i ? NEG : -slope * (i - j);
        }
        return typed(bias, 1, heads, len, len);
    }

    /** One-hot positions [rows·len, context]: position embeddings as a matmul, like tokens. */
    private INDArray positions(int rows, int len) {
        int ctx = config.context();
        float[] p = new float[rows * len * ctx];
        for (int r = 0; r < rows; r++) for (int t = 0; t < len; t++) p[(r * len + t) * ctx + t] = 1f;
        return typed(p, (long) rows * len, ctx);
    }

    /** Inverted dropout: 0 with probability p, else 1/(1-p), drawn from the model's dropout stream (package-private for a test). */
    INDArray dropMask(long[] s, double p) {
        long n = 1;
        for (long v : s) n *= v;
        int size = Math.toIntExact(n);
        if (maskScratch.length < size) maskScratch = new float[size];
        float[] m = maskScratch;
        // 16 random bits per element, four elements per draw: a long piece's attention masks are
        // millions of elements (a draw each took 15% of a Nottingham step). p is rounded to 1/65536
        // and the kept value makes each mask's expectation exactly 1.
        int drop = (int) Math.round(p * 65536);
        float keep = 65536f / (65536 - drop);
        long bits = 0;
        for (int i = 0; i < size; i++) {
            if ((i & 3) == 0) bits = dropRandom.nextLong();
            m[i] = (int) (bits & 0xFFFF) < drop ? 0f : keep;
            bits >>>= 16;
        }
        if (graph.type != DataType.FLOAT) return typed(java.util.Arrays.copyOf(m, size), s);
        INDArray mask = Nd4j.createUninitialized(DataType.FLOAT, s, 'c');
        mask.data().asNioFloat().put(m, 0, size);   // one bulk copy
        return mask;
    }

    // ---- generation: a sliding window over the last `context` steps ----

    @Override
    public Generator generator() {
        return new Generator() {
            private final int w = shape.width(), pw = head.projectionWidth(), ctx = config.context();
            private final float[] window = new float[ctx * w];
            private int steps;
            private double[] q;          // the head's projection at the last step

            @Override
            public float[] next(int token) {
                float[] frame = new float[w];
                frame[token] = 1f;
                return step(frame);
            }

            @Override
            public float[] nextFrame(float[] frame) {
                return step(frame);
            }

            private float[] step(float[] input) {
                if (steps == ctx) {
                    System.arraycopy(window, w, window, 0, (ctx - 1) * w);
                    steps--;
                }
                System.arraycopy(input, 0, window, steps * w, w);
                steps++;
                double[] all = run(1, steps, java.util.Arrays.copyOf(window, steps * w), null, null, null, false);
                q = java.util.Arrays.copyOfRange(all, (steps - 1) * pw, steps * pw);
                double[] out = new double[w];
                syncHead();
                head.outputsProjected(q, 1, out);
                float[] last = new float[w];
                for (int k = 0; k < w; k++) last[k] = (float) out[k];
                return last;
            }

            /** The next frame from the head's distribution at the last step fed (a NADE draws key by key). */
            @Override
            public float[] sampleFrame(float[] output, double temperature, SplittableRandom random) {
                if (q == null) throw new IllegalStateException("sampleFrame before any step was fed");
                syncHead();
                return head.sampleFrameProjected(q, temperature, random);
            }

            @Override
            public void reset() {
                steps = 0;
            }
        };
    }

    // ---- checkpoints ----

    record Saved(TransformerConfig config, ModelShape shape, TrainingOptions options, long seed, int iteration) {}

    private static final String CONFIG = "config.json", PARAMS = "params.bin", STATE = "optimizer.bin";

    @Override
    public void save(Path dir) throws IOException {
        Files.writeString(dir.resolve(CONFIG), Json.write(new Saved(config, shape, options, seed, optimizer.iteration())));
        Nd4j.saveBinary(graph.flat, dir.resolve(PARAMS).toFile());
        if (optimizer.state() != null) Nd4j.saveBinary(optimizer.state(), dir.resolve(STATE).toFile());
    }

    static TransformerModel load(Path dir) throws IOException {
        Saved s = readSaved(dir);
        // the weights come from this directory, not from the checkpoint the run was fine-tuned from
        TransformerModel m = new TransformerModel(s.config(), s.shape(), s.options(), s.seed(), false);
        m.loadWeights(dir);
        if (Files.exists(dir.resolve(STATE)))
            m.optimizer.restore(Nd4j.readBinary(dir.resolve(STATE).toFile()), s.iteration());
        return m;
    }

    private static Saved readSaved(Path dir) throws IOException {
        Path file = dir.resolve(CONFIG);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(dir.resolve(PARAMS)))
            throw new IOException(dir + " does not hold a transformer model (" + CONFIG + " and " + PARAMS + " expected)");
        return Json.read(file, Saved.class);
    }

    private void loadWeights(Path dir) throws IOException {
        INDArray flat = Nd4j.readBinary(dir.resolve(PARAMS).toFile()).reshape(-1);
        if (flat.length() != parameterCount())
            throw new IOException(dir.resolve(PARAMS) + ": " + flat.length() + " weights, this architecture has " + parameterCount());
        graph.flat.assign(flat);          // the parameters are views into graph.flat, saved in the same order
    }

    /**
     * Fine-tuning: the weights (not the optimiser state) of a saved transformer with the same
     * architecture. Family, shape and vocabulary were checked before the model was made (the
     * runner's {@link Checkpoint#checkStartingPoint}); the architecture is this family's to compare.
     */
    private void startFrom(Path checkpoint) {
        Path dir = org.seqlab.core.AtomicFiles.resolveDirectory(checkpoint).resolve("model");
        try {
            Saved s = readSaved(dir);
            Map<String, Object> theirs = s.config().architecture(), mine = config.architecture();
            for (Map.Entry<String, Object> e : mine.entrySet())
                if (!java.util.Objects.equals(e.getValue(), theirs.get(e.getKey())))
                    throw new UserException("init.checkpoint: " + checkpoint + " has " + e.getKey() + " " + theirs.get(e.getKey())
                            + " but this model asks for " + e.getValue() + " (the architecture must match to start from its weights)");
            loadWeights(dir);
        } catch (IOException e) {
            throw new UserException("init.checkpoint: cannot read " + dir + ": " + e.getMessage(), e);
        }
    }
}
