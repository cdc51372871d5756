package org.seqlab.lstm;

import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.weightnoise.WeightNoise;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.seqlab.core.Batch;
import org.seqlab.core.DropoutMasks;
import org.seqlab.core.EvalStats;
import org.seqlab.core.FieldException;
import org.seqlab.core.Generator;
import org.seqlab.core.InitialWeights;
import org.seqlab.core.Json;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelShape;
import org.seqlab.core.NamedWeights;
import org.seqlab.core.OutputKind;
import org.seqlab.core.head.Heads;
import org.seqlab.core.head.OutputHead;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.BatchArrays;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.VectorBatch;
import org.seqlab.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * Deeplearning4j's LSTM behind {@link SequenceModel}: [one-hot | embedding] → LSTM × depth (dropout
 * on every LSTM's output: between layers and before the projection or output layer, as the
 * hand-rolled family, from the same mask stream) → [projection] → output head ({@link OutputHead},
 * the same object every family uses). The head's projection q = h Why + by is DL4J's RnnOutputLayer with identity activation (its
 * W and b are the head's Why and by), scored by {@link HeadLoss}, which hands DL4J the head's dL/dq;
 * DL4J back-propagates it and computes the gradients; seqlab's {@link Optimizer} updates the
 * weights, as in every family. A head with tensors of its own (a NADE's Win and Wout) keeps them in
 * one flat array after DL4J's parameters ({@code joint}: the network's parameters are a view of its
 * start), so the one optimiser steps, clips (over the joint norm) and averages both, and checkpoints
 * save them beside the network. Evaluation, logits and sampling take q from the network and go
 * through the head.
 */
public final class Dl4jLstmModel implements SequenceModel, NamedWeights {
    static final String FAMILY = "dl4j-lstm";

    private final Dl4jLstmConfig config;
    private final ModelShape shape;
    private final TrainingOptions options;
    private final long seed;
    private final MultiLayerNetwork net;
    private final Optimizer optimizer;
    private final List<long[]> weightRanges = new ArrayList<>();   // [from, to) of the weight matrices, for l2
    private final OutputHead head;
    private final int own;                     // values of the head's own tensors (after Why, by): 0 for a linear head
    private final INDArray joint, jointGrad;   // [1, numParams + own]: the network's parameters (a view) then the head's; null when own == 0

    Dl4jLstmModel(Dl4jLstmConfig config, ModelShape shape, TrainingOptions options, long seed) {
        this(config, shape, options, seed, null);
    }

    private Dl4jLstmModel(Dl4jLstmConfig config, ModelShape shape, TrainingOptions options, long seed, MultiLayerNetwork loaded) {
        validate(config, shape);
        this.config = config;
        this.shape = shape;
        this.options = options;
        this.seed = seed;
        head = Heads.create(config.head(), shape, config.topWidth());
        own = head.parameters().length - head.ownOffset();
        MultiLayerNetwork source;
        if (loaded != null) source = loaded;
        else {
            source = new CarriedStateNetwork(configuration(config, shape, options, seed));
            source.init();
            StartingWeights.write(source, config, new InitialWeights(options.init(), seed), head);   // not DL4J's own: twins start alike
        }
        if (loaded == null && own == 0) {
            net = source;
            joint = jointGrad = null;
        } else {
            MultiLayerConfiguration conf = source.getLayerWiseConfigurations();
            var top = (org.deeplearning4j.nn.conf.layers.BaseOutputLayer) conf.getConf(conf.getConfs().size() - 1).getLayer();
            if (!(top.getLossFn() instanceof HeadLoss)) {
                // a checkpoint from before output heads (softmax + MCXENT, sigmoid + XENT, identity + L2):
                // the same layers and parameters, the output layer now the head's projection
                conf = configuration(config, shape, options, seed);
                long expected = 0;
                for (NeuralNetConfiguration layer : conf.getConfs()) expected += layer.getLayer().initializer().numParams(layer);
                if (expected != source.numParams())
                    throw new IllegalStateException("checkpoint has " + source.numParams() + " parameters, this configuration " + expected);
            }
            net = new CarriedStateNetwork(conf);
            if (own == 0) {
                joint = jointGrad = null;
                net.init(source.params().dup(), false);
            } else {
                long n = source.numParams();
                joint = Nd4j.create(source.params().dataType(), 1, n + own);
                jointGrad = Nd4j.create(source.params().dataType(), 1, n + own);
                INDArray view = joint.get(all(), interval(0, n));
                view.assign(source.params());
                if (loaded == null)                        // the head's own tensors as it drew them
                    ownParams().assign(Nd4j.create(java.util.Arrays.copyOfRange(head.parameters(), head.ownOffset(), head.parameters().length),
                            new long[]{1, own}, 'c').castTo(joint.dataType()));
                net.init(view, false);                     // the network's parameters are the start of the joint array
            }
            source.close();
        }
        headLoss().bind(head);
        bindDropout(net, config.dropout() > 0 ? new DropoutMasks(config.dropout(), seed) : null);
        if (config.helperOnThisBackend() == Dl4jLstmConfig.Helper.FUSED) FusedLstmHelper.install(net);
        List<Optimizer.Tensor> layout = layout(net);
        long at = net.numParams();
        for (OutputHead.Tensor t : head.tensors().subList(2, head.tensors().size())) {
            layout.add(new Optimizer.Tensor("head." + t.name(), at, t.size(), t.matrix()));
            at += t.size();
        }
        for (Optimizer.Tensor t : layout) if (t.matrix()) weightRanges.add(new long[]{t.offset(), t.offset() + t.length()});
        optimizer = new Optimizer(options.optimizer(), options.clip(), net.params().dataType(), layout);
    }

    /**
     * Every layer's dropout draws from {@code masks}, the stream the hand-rolled twin draws from;
     * a checkpoint saved with DL4J's own {@code Dropout} (retain probability) gets the same rate.
     */
    private static void bindDropout(MultiLayerNetwork net, DropoutMasks masks) {
        FusedLstmHelper.forEachLayer(net, (outer, l) -> {
            org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
            IDropout d = conf.getIDropout();
            if (d == null) return;
            if (d instanceof org.deeplearning4j.nn.conf.dropout.Dropout old && old.getPSchedule() == null)
                conf.setIDropout(d = new SharedDropout(1 - old.getP()));
            if (!(d instanceof SharedDropout shared) || masks == null)
                throw new IllegalStateException("layer " + outer.getIndex() + " has dropout " + d + ", the configuration " + (masks == null ? "none" : masks.rate()));
            shared.bind(masks);
        });
    }

    /** The loss function of the network's output layer. */
    private HeadLoss headLoss() {
        var conf = (org.deeplearning4j.nn.conf.layers.BaseOutputLayer) net.getOutputLayer().conf().getLayer();
        if (!(conf.getLossFn() instanceof HeadLoss h))
            throw new IllegalStateException("this DL4J model's output layer scores with " + conf.getLossFn()
                    + ", not an output head");
        return h;
    }

    /** The head's own tensors in the joint array, [1, own]. */
    private INDArray ownParams() {
        return joint.get(all(), interval(joint.length() - own, joint.length()));
    }

    /** The parameters the optimiser steps: the joint array, or the network's own when the head has no tensors of its own. */
    private INDArray allParams() {
        return own > 0 ? joint : net.params();
    }

    /** The optimiser's current values of the head's own tensors into the head, before a pass. */
    private void syncHead() {
        if (own == 0) return;
        double[] v = HeadLoss.doubles(ownParams());
        System.arraycopy(v, 0, head.parameters(), head.ownOffset(), own);
    }

    /** Refuses combinations that cannot work, naming the field. */
    static void validate(Dl4jLstmConfig c, ModelShape shape) {
        if (shape.kind() == OutputKind.TOKENS && c.bidirectional())
            throw new FieldException("bidirectional", "a language model must not see the future; bidirectional is for frame models only");
        if (shape.kind() == OutputKind.VALUES && c.bidirectional())
            throw new FieldException("bidirectional", "a forecaster must not see the future; bidirectional is for frame models only");
        if (shape.kind() == OutputKind.FRAMES && c.input() == Dl4jLstmConfig.Input.EMBEDDING)
            throw new FieldException("input", "embedding needs token input; frame models use onehot (multi-hot frames)");
        if (shape.kind() == OutputKind.VALUES && c.input() == Dl4jLstmConfig.Input.EMBEDDING)
            throw new FieldException("input", "embedding needs token input; time series are fed as they are (input: onehot)");
        Heads.checkApplies(c.head(), shape);
    }

    /** The DL4J configuration; package-private so a test can check the dropout mapping. */
    static MultiLayerConfiguration configuration(Dl4jLstmConfig c, ModelShape shape, TrainingOptions options, long seed) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType(c))
                .weightInit(WeightInit.XAVIER)     // overwritten by StartingWeights (training.init)
                .updater(new NoOp());        // DL4J computes gradients; seqlab's Optimizer updates
        if (c.weightNoise() > 0) b.weightNoise(new WeightNoise(new NormalDistribution(0, c.weightNoise())));
        NeuralNetConfiguration.ListBuilder list = b.list();
        int width = shape.width(), in = width, index = 0;
        if (c.input() == Dl4jLstmConfig.Input.EMBEDDING) {
            list.layer(index++, new EmbeddingSequenceLayer.Builder().nIn(width).nOut(c.embeddingSize()).build());
            in = c.embeddingSize();
        }
        for (int l = 0; l < c.layers(); l++) {
            LSTM.Builder lstm = new LSTM.Builder().nIn(in).nOut(c.size(l)).activation(Activation.TANH);
            if (l > 0 && c.dropout() > 0) lstm.dropOut(new SharedDropout(c.dropout()));   // after the LSTM below
            Layer layer = lstm.build();
            if (c.bidirectional()) layer = new Bidirectional(Bidirectional.Mode.CONCAT, layer);
            list.layer(index++, layer);
            in = c.size(l) * (c.bidirectional() ? 2 : 1);
        }
        if (c.projection() > 0) {
            DenseLayer.Builder proj = new DenseLayer.Builder().nIn(in).nOut(c.projection()).activation(Activation.IDENTITY);
            if (c.dropout() > 0) proj.dropOut(new SharedDropout(c.dropout()));
            list.layer(index++, proj.build());
            in = c.projection();
        }
        // the output head's projection q = h Why + by; the head (HeadLoss) turns q into loss and dL/dq
        OutputHead head = Heads.create(c.head(), shape, in);
        RnnOutputLayer.Builder out = new RnnOutputLayer.Builder().lossFunction(new HeadLoss(head.key())).activation(Activation.IDENTITY);
        out.nIn(in).nOut(head.projectionWidth());
        if (c.dropout() > 0 && c.projection() == 0) out.dropOut(new SharedDropout(c.dropout()));
        list.layer(index, out.build());
        list.setInputType(InputType.recurrent(width));   // adds the dense-layer preprocessors; the embedding's nIn is the vocabulary
        // forward-only networks train from the state a continued batch carries (DL4J keeps it only in
        // truncated-BPTT mode); segments are cut by trainStep, the backward length stays as configured
        if (!c.bidirectional()) {
            boolean truncated = c.tbptt() > 0;
            list.backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(truncated ? c.tbptt() : Integer.MAX_VALUE)
                    .tBPTTBackwardLength(truncated ? c.tbpttBackward() : Integer.MAX_VALUE);
        }
        return list.build();
    }

    static DataType dataType(Dl4jLstmConfig c) {
        return c.precision() == Dl4jLstmConfig.Precision.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    }

    /**
     * The network's flat parameter layout, read from the views DL4J made into {@code net.params()}:
     * weight matrices (W, RW, fW, ...) decay; biases (b, fb, bb) do not.
     */
    private static List<Optimizer.Tensor> layout(MultiLayerNetwork net) {
        List<Optimizer.Tensor> tensors = new ArrayList<>();
        long base = net.params().offset();
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers())
            for (Map.Entry<String, INDArray> e : layer.paramTable().entrySet())
                tensors.add(new Optimizer.Tensor(layer.getIndex() + "_" + e.getKey(), e.getValue().offset() - base,
                        e.getValue().length(), !e.getKey().endsWith("b")));
        tensors.sort(Comparator.comparingLong(Optimizer.Tensor::offset));
        return tensors;
    }

    @Override public String name() { return config.name(); }
    @Override public String family() { return FAMILY; }
    @Override public ModelConfig config() { return config; }
    @Override public ModelShape shape() { return shape; }
    @Override public long seed() { return seed; }
    @Override public long parameterCount() { return net.numParams() + own; }

    /** DL4J's names (layer index _ W, RW, b); an LSTM's gate blocks are ordered g (block input), f, o, i. */
    @Override
    public Map<String, NamedWeights.Tensor> namedWeights() {
        Map<String, NamedWeights.Tensor> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet())
            out.put(e.getKey(), new NamedWeights.Tensor(e.getValue().shape(), e.getValue().dup('c').reshape(-1).toDoubleVector()));
        if (own > 0) {                   // the head's own tensors under the head's names (nade.Win, nade.Wout)
            double[] v = HeadLoss.doubles(ownParams());
            int off = 0;
            for (OutputHead.Tensor t : head.tensors().subList(2, head.tensors().size())) {
                out.put(t.name(), new NamedWeights.Tensor(new long[]{t.rows(), t.cols()}, java.util.Arrays.copyOfRange(v, off, off + t.size())));
                off += t.size();
            }
        }
        return out;
    }

    MultiLayerNetwork network() {
        return net;
    }

    /** Every parameter the optimiser steps: the network's, then the head's own (for tests). */
    INDArray allParameters() {
        return allParams();
    }

    /** DL4J's NCW arrays for a batch: features [rows, width or 1, T], labels [rows, width, T], mask [rows, T]. */
    /** One batch as DL4J's [rows, width, steps] arrays; closed after use so a step leaves nothing to the GC. */
    private record Arrays(INDArray features, INDArray labels, INDArray mask) implements AutoCloseable {
        @Override
        public void close() {
            features.close();
            labels.close();
            mask.close();
        }
    }

    /** The network's output as c-order doubles; the output and any copy made here are freed. */
    private static double[] doubles(INDArray out) {
        INDArray f = out.castTo(DataType.DOUBLE), c = f.dup('c');
        double[] values = c.data().asDouble();
        for (INDArray a : new INDArray[]{c, f, out}) if (a.closeable() && !a.wasClosed()) a.close();
        return values;
    }

    /** Frees the network's parameters, gradients, updater state and carried states now. */
    @Override
    public void close() {
        net.close();
        optimizer.close();
    }

    private Arrays arrays(Batch batch) {
        int rows = batch.rows(), len = batch.length(), w = shape.width();
        boolean embedding = config.input() == Dl4jLstmConfig.Input.EMBEDDING;
        BatchArrays.check(batch, shape);
        BatchArrays.Layout layout = BatchArrays.Layout.ROWS_WIDTH_STEPS;        // DL4J's NCW
        float[] feat = new float[rows * (embedding ? 1 : w) * len];
        float[] lab = new float[rows * w * len];
        if (embedding) {                                       // [rows, 1, len]: the token ids
            int[] ids = ((TokenBatch) batch).inputs();
            for (int i = 0; i < feat.length; i++) feat[i] = ids[i];
        }
        else BatchArrays.inputs(batch, w, layout, feat);
        BatchArrays.targets(batch, w, layout, lab);
        INDArray features = embedding ? Nd4j.create(feat, new long[]{rows, 1, len}, 'c')   // 3-d: rnnTimeStep reads 2-d as one step
                : Nd4j.create(feat, new long[]{rows, w, len}, 'c');
        return new Arrays(typed(features), typed(Nd4j.create(lab, new long[]{rows, w, len}, 'c')),
                typed(Nd4j.create(batch.mask(), new long[]{rows, len}, 'c')));
    }

    /** {@code a} in the network's precision (the float original is freed when a copy is made). */
    private INDArray typed(INDArray a) {
        DataType type = net.params().dataType();
        if (a.dataType() == type) return a;
        INDArray c = a.castTo(type);
        a.close();
        return c;
    }

    /**
     * One update per truncated-BPTT segment (the whole batch when tbptt is off): DL4J's forward and
     * backward pass from the state the previous batch left when this one continues it; the head's
     * dL/dq (of the mean loss over real steps, {@link HeadLoss}) makes DL4J's gradient that of every
     * family's loss; with the head's own tensors' gradient, the l2 term, then seqlab's
     * {@link Optimizer} (clipping, decay, update rule) on the flat parameters.
     */
    @Override
    public EvalStats trainStep(Batch batch, double learningRate) {
        return train(batch, learningRate);        // every product on the trial's BLAS threads (CoreBudget)
    }

    private EvalStats train(Batch batch, double learningRate) {
        if (!batch.continues()) clearState(true);        // (a bidirectional network keeps no state at all)
        int rows = batch.rows(), len = batch.length(), segment = config.tbptt() > 0 ? config.tbptt() : len;
        double lossSum = 0;
        try (Arrays a = arrays(batch)) {
            for (int from = 0; from < len; from += segment) {
                int to = Math.min(len, from + segment);
                boolean whole = from == 0 && to == len;
                INDArray f = whole ? a.features() : a.features().get(all(), all(), interval(from, to));
                INDArray l = whole ? a.labels() : a.labels().get(all(), all(), interval(from, to));
                INDArray m = whole ? a.mask() : a.mask().get(all(), interval(from, to));
                syncHead();
                net.setInput(f);
                net.setLabels(l);
                net.setLayerMaskArrays(m, m);
                List<Map<String, INDArray>> evaluationState = trainingStateForBackward();
                net.computeGradientAndScore();
                restoreEvaluationState(evaluationState);
                lossSum += net.score() * rows;                              // score = summed loss / rows
                INDArray g = net.getFlattenedGradients();                   // the mean loss's (HeadLoss)
                if (own > 0) {                                              // and the head's own tensors'
                    long n = net.numParams();
                    jointGrad.get(all(), interval(0, n)).assign(g);
                    jointGrad.get(all(), interval(n, n + own)).assign(Nd4j.create(
                            java.util.Arrays.copyOfRange(head.gradient(), head.ownOffset(), head.gradient().length),
                            new long[]{1, own}, 'c').castTo(jointGrad.dataType()));
                    g = jointGrad;
                }
                if (config.l2() > 0) {                                      // d/dW of (l2 / 2) * |W|^2
                    INDArray p = Optimizer.flat(allParams()), gFlat = Optimizer.flat(g);
                    for (long[] r : weightRanges) range(gFlat, r).addi(range(p, r).mul(config.l2()));
                }
                optimizer.clip(g);                                          // over the joint norm
                optimizer.step(allParams(), g, learningRate);
            }
        } finally {
            net.setLabels(null);
            net.clearLayerMaskArrays();
        }
        return new EvalStats(lossSum, batch.steps(), 0, 0);
    }

    /**
     * The backward pass recomputes each LSTM's forward pass from {@code stateMap} (see
     * {@link CarriedStateNetwork}), the state evaluation steps from: it gets the carried training
     * state for the step, and evaluation's is handed back afterwards.
     */
    private List<Map<String, INDArray>> trainingStateForBackward() {
        List<Map<String, INDArray>> saved = new ArrayList<>();
        if (config.bidirectional()) return saved;
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers())
            if (layer instanceof RecurrentLayer r) {
                saved.add(r.rnnGetPreviousState());
                r.rnnSetPreviousState(r.rnnGetTBPTTState());
            }
        return saved;
    }

    private void restoreEvaluationState(List<Map<String, INDArray>> saved) {
        int i = 0;
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers())
            if (layer instanceof RecurrentLayer r && i < saved.size()) r.rnnSetPreviousState(saved.get(i++));
    }

    private static INDArray range(INDArray flat, long[] r) {
        return flat.get(interval(r[0], r[1]));
    }

    /**
     * Forgets carried state: the training state (DL4J's truncated-BPTT state) or the state that
     * evaluation and generation step from ({@code rnnTimeStep}'s); each leaves the other alone so
     * an evaluation between two continued training batches does not cut the sequence.
     */
    private void clearState(boolean training) {
        if (config.bidirectional()) return;
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers())
            if (layer instanceof RecurrentLayer r) {
                if (training) r.rnnSetTBPTTState(new HashMap<>());
                else r.rnnSetPreviousState(new HashMap<>());
            }
    }

    @Override
    public boolean swapAveragedWeights() {
        return optimizer.swapAverage(allParams());
    }

    @Override
    public EvalStats evaluate(Batch batch) {
        return score(batch, forward(batch, batch.continues()), null, 1)[0];
    }

    /** Row r's sums: steps r * length ... of the row-major projections. */
    @Override
    public EvalStats[] evaluateRows(Batch batch) {
        int[] group = new int[batch.rows() * batch.length()];
        for (int i = 0; i < group.length; i++) group[i] = i / batch.length();
        return score(batch, forward(batch, batch.continues()), group, batch.rows());
    }

    private EvalStats[] score(Batch batch, double[] q, int[] group, int groups) {
        int[] tokens = batch instanceof TokenBatch tb ? tb.targets() : null;
        float[] vectors = batch instanceof VectorBatch vb ? vb.targets() : null;
        syncHead();
        return head.evaluateProjected(q, batch.rows() * batch.length(), tokens, vectors, batch.mask(), group, groups);
    }

    /**
     * The head's projections q, row-major [rows * T * projectionWidth]. Forward-only networks go
     * through rnnTimeStep, which keeps the state for a continued batch.
     */
    private double[] forward(Batch batch, boolean continues) {
        Arrays a = arrays(batch);
        INDArray probs;
        try {
            if (config.bidirectional()) {
                probs = net.output(a.features(), false, a.mask(), a.mask());
            } else {
                if (!continues) clearState(false);
                probs = net.rnnTimeStep(a.features());
            }
        } finally {
            a.close();
        }
        int rows = batch.rows(), len = batch.length(), w = head.projectionWidth();
        double[] p = doubles(probs);
        double[] q = new double[rows * len * w];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < w; k++)
                for (int t = 0; t < len; t++)
                    q[(r * len + t) * w + k] = p[(r * w + k) * len + t];
        return q;
    }

    /** What the head makes of each step's projection ({@link OutputHead#outputsProjected}): logits, or the predictions for values. */
    @Override
    public float[] logits(Batch batch) {
        double[] q = forward(batch, false);
        int n = batch.rows() * batch.length();
        double[] l = new double[n * shape.width()];
        syncHead();
        head.outputsProjected(q, n, l);
        float[] f = new float[l.length];
        for (int i = 0; i < l.length; i++) f[i] = (float) l[i];
        return f;
    }

    @Override
    public Generator generator() {
        if (config.bidirectional()) throw new UnsupportedOperationException("a bidirectional network cannot generate step by step");
        clearState(false);
        return new Generator() {
            private double[] q;          // the head's projection at the last step

            @Override
            public float[] next(int token) {
                boolean embedding = config.input() == Dl4jLstmConfig.Input.EMBEDDING;
                INDArray x = embedding ? typed(Nd4j.create(new float[]{token}, new long[]{1, 1, 1}, 'c'))
                        : Nd4j.zeros(net.params().dataType(), 1, shape.width(), 1);
                if (!embedding) x.putScalar(new long[]{0, token, 0}, 1.0);
                return logitsOf(net.rnnTimeStep(x));
            }

            @Override
            public float[] nextFrame(float[] frame) {
                return logitsOf(net.rnnTimeStep(typed(Nd4j.create(frame, new long[]{1, frame.length, 1}, 'c'))));
            }

            private float[] logitsOf(INDArray out) {
                q = doubles(out);
                double[] l = new double[shape.width()];
                syncHead();
                head.outputsProjected(q, 1, l);
                float[] f = new float[l.length];
                for (int k = 0; k < l.length; k++) f[k] = (float) l[k];
                return f;
            }

            /** The next frame from the head's distribution at the last step fed (a NADE draws key by key). */
            @Override
            public float[] sampleFrame(float[] output, double temperature, java.util.SplittableRandom random) {
                if (q == null) throw new IllegalStateException("sampleFrame before any step was fed");
                syncHead();
                return head.sampleFrameProjected(q, temperature, random);
            }

            @Override
            public void reset() {
                clearState(false);
            }
        };
    }

    /** What {@code config.json} beside the DL4J model holds. */
    record Saved(Dl4jLstmConfig config, ModelShape shape, TrainingOptions options, long seed, Integer iteration) {}

    private static final String OPTIMIZER = "optimizer.bin";
    private static final String HEAD = "head.bin";              // the head's own tensors (a NADE's), when it has any

    @Override
    public void save(Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), Json.write(new Saved(config, shape, options, seed, optimizer.iteration())));
        ModelSerializer.writeModel(net, dir.resolve("model.zip").toFile(), false);
        if (optimizer.state() != null) Nd4j.saveBinary(optimizer.state(), dir.resolve(OPTIMIZER).toFile());
        if (own > 0) Nd4j.saveBinary(ownParams().dup('c'), dir.resolve(HEAD).toFile());
    }

    static Dl4jLstmModel load(Path dir) throws IOException {
        Saved s = Json.read(dir.resolve("config.json"), Saved.class);
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("model.zip").toFile(), false);
        Dl4jLstmModel m = new Dl4jLstmModel(s.config(), s.shape(), s.options(), s.seed(), net);
        if (m.own > 0) {
            Path head = dir.resolve(HEAD);
            if (!Files.exists(head)) throw new IOException(head + ": missing (the " + m.head.key() + " head's own tensors)");
            INDArray v = Nd4j.readBinary(head.toFile());
            if (v.length() != m.own) throw new IOException(head + ": " + v.length() + " values, the head keeps " + m.own);
            m.ownParams().assign(v.reshape(1, m.own).castTo(m.joint.dataType()));
        }
        Path state = dir.resolve(OPTIMIZER);
        if (Files.exists(state)) m.optimizer.restore(Nd4j.readBinary(state.toFile()), s.iteration() == null ? 0 : s.iteration());
        return m;
    }
}
