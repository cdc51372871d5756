package org.seqlab.rnn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.Batch;
import org.seqlab.core.EvalStats;
import org.seqlab.core.FrameBatch;
import org.seqlab.core.Generator;
import org.seqlab.core.Json;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hand-rolled network: one-hot (or multi-hot frame) input, a recurrent cell with explicit
 * BPTT, and a linear output layer with softmax (tokens) or sigmoid (frames):
 * <pre>
 *   h_t = cell(x_t, h_{t-1});   logits_t = h_t Why + by
 * </pre>
 * The loss being minimised is the mean over real steps of the per-step loss.
 */
public final class HandRolledModel implements SequenceModel {
    static final String FAMILY = "handrolled";

    private final HandRolledConfig config;
    private final ModelShape shape;
    private final TrainingOptions options;
    private final long seed;
    private final Parameters params;
    private final RecurrentCell cell;
    private final INDArray why, by, gWhy, gBy;
    private final ParameterUpdater updater;
    private INDArray[] trainState, evalState;

    HandRolledModel(HandRolledConfig config, ModelShape shape, TrainingOptions options, long seed) {
        this.config = config;
        this.shape = shape;
        this.options = options;
        this.seed = seed;
        int v = shape.width(), h = config.hidden();
        DataType dtype = config.precision() == HandRolledConfig.Precision.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        Parameters.Spec[] cellSpecs = VanillaRnnCell.specs("l0.", v, h);
        Parameters.Spec[] outSpecs = {
                new Parameters.Spec("Why", h, v, 0.1 / Math.sqrt(h)),  // small: initial loss ~ ln V
                new Parameters.Spec("by", 1, v, 0)};
        Parameters.Spec[] all = concat(cellSpecs, outSpecs);
        params = new Parameters(dtype, all);
        params.initialise(seed, all);
        cell = new VanillaRnnCell(params, "l0.", v, h);
        why = params.param("Why");
        by = params.param("by");
        gWhy = params.grad("Why");
        gBy = params.grad("by");
        updater = new ParameterUpdater(options.optimizer(), options.clip(), params);
    }

    private static Parameters.Spec[] concat(Parameters.Spec[] a, Parameters.Spec[] b) {
        Parameters.Spec[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Override public String name() { return config.name(); }
    @Override public String family() { return FAMILY; }
    @Override public ModelConfig config() { return config; }
    @Override public ModelShape shape() { return shape; }
    @Override public long seed() { return seed; }
    @Override public long parameterCount() { return params.count(); }

    /** A batch converted to time-major arrays (row t*B + b), plus the forward results. */
    private final class Pass {
        final int rows, steps, n, width = shape.width();
        final INDArray x;
        final int[] tokenTargets;
        final float[] frameTargets;
        final float[] mask;
        INDArray hs;
        double[] logits;

        Pass(Batch batch) {
            rows = batch.rows();
            steps = batch.length();
            n = rows * steps;
            mask = new float[n];
            double[] xs = new double[n * width];
            if (batch instanceof TokenBatch tb) {
                if (shape.kind() != OutputKind.TOKENS) throw new IllegalArgumentException("token batch for a frame model");
                tokenTargets = new int[n];
                frameTargets = null;
                for (int r = 0; r < rows; r++)
                    for (int t = 0; t < steps; t++) {
                        int i = r * steps + t, j = t * rows + r;
                        xs[j * width + tb.inputs()[i]] = 1;
                        tokenTargets[j] = tb.targets()[i];
                        mask[j] = tb.mask()[i];
                    }
            } else {
                FrameBatch fb = (FrameBatch) batch;
                if (shape.kind() != OutputKind.FRAMES || fb.width() != width)
                    throw new IllegalArgumentException("frame batch does not match the model's shape " + shape);
                tokenTargets = null;
                frameTargets = new float[n * width];
                for (int r = 0; r < rows; r++)
                    for (int t = 0; t < steps; t++) {
                        int i = r * steps + t, j = t * rows + r;
                        for (int k = 0; k < width; k++) {
                            xs[j * width + k] = fb.inputs()[i * width + k];
                            frameTargets[j * width + k] = fb.targets()[i * width + k];
                        }
                        mask[j] = fb.mask()[i];
                    }
            }
            x = matrix(xs, n, width);
        }

        void forward(INDArray[] state) {
            hs = cell.forward(x, steps, rows, state);
            logits = hs.mmul(why).addiRowVector(by).data().asDouble();
        }

        EvalStats loss(double[] grad) {
            return OutputHead.lossAndGradient(shape.kind(), logits, width, tokenTargets, frameTargets, mask, grad);
        }
    }

    private INDArray matrix(double[] data, int rows, int cols) {
        return Nd4j.create(data, new long[]{rows, cols}, DataType.DOUBLE).castTo(params.dtype);
    }

    /** Forward and backward on {@code batch}: fills the gradient array, returns the summed loss. */
    EvalStats computeGradient(Batch batch) {
        Pass p = new Pass(batch);
        p.forward(batch.continues() ? trainState : null);
        double[] grad = new double[p.n * p.width];
        EvalStats stats = p.loss(grad);
        double scale = stats.count() == 0 ? 0 : 1.0 / stats.count();   // gradient of the mean loss
        INDArray dLogits = matrix(grad, p.n, p.width).muli(scale);
        Nd4j.gemm(p.hs, dLogits, gWhy, true, false, 1.0, 0.0);          // dWhy = sum_t h_t^T dlogits_t
        gBy.assign(dLogits.sum(true, 0));                                 // dby  = sum_t dlogits_t
        INDArray dHs = dLogits.mmul(why.transpose());                     // dL/dh_t from the output layer
        cell.backward(dHs, false);
        trainState = cell.finalState();
        return stats;
    }

    @Override
    public EvalStats trainStep(Batch batch, double learningRate) {
        EvalStats stats = computeGradient(batch);
        updater.clip(params.gradient);
        updater.step(params.flat, params.gradient, learningRate);
        return stats;
    }

    @Override
    public EvalStats evaluate(Batch batch) {
        Pass p = new Pass(batch);
        p.forward(batch.continues() ? evalState : null);
        evalState = cell.finalState();
        return p.loss(null);
    }

    @Override
    public float[] logits(Batch batch) {
        Pass p = new Pass(batch);
        p.forward(null);
        float[] out = new float[p.n * p.width];
        for (int r = 0; r < p.rows; r++)
            for (int t = 0; t < p.steps; t++)
                for (int k = 0; k < p.width; k++)
                    out[(r * p.steps + t) * p.width + k] = (float) p.logits[(t * p.rows + r) * p.width + k];
        return out;
    }

    @Override
    public Generator generator() {
        return new Generator() {
            private INDArray[] state = zeros();

            private INDArray[] zeros() {
                INDArray[] s = new INDArray[cell.stateCount()];
                for (int i = 0; i < s.length; i++) s[i] = Nd4j.zeros(params.dtype, 1, cell.hiddenSize());
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
                INDArray h = cell.step(x, state);
                return h.mmul(why).addiRowVector(by).toFloatVector();
            }

            @Override
            public void reset() {
                state = zeros();
            }
        };
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
