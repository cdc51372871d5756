package org.seqlab.core.head;

import org.seqlab.core.EvalStats;
import org.seqlab.core.InitialWeights;
import org.seqlab.core.OutputKind;
import org.seqlab.core.sample.Sampler;

import java.util.List;
import java.util.SplittableRandom;

/**
 * An output distribution over one step, on plain arrays: it turns a family's top hidden states
 * (rows of {@link #inputWidth()} values) into a loss, the loss's gradient with respect to those
 * states and to the head's own parameters, an evaluation and samples. Every family feeds its hidden
 * states into the same head object; the head owns its parameters and the family carries them through
 * its one optimiser and its checkpoints as the tensors {@link #tensors()} names: before a pass the
 * family copies their current values into {@link #parameters()}, after it takes {@link #gradient()}
 * back.
 *
 * <p>Every head starts with one affine map, its projection {@code q = h Why + by} of width
 * {@link #projectionWidth()} (the logits of a softmax or of independent keys, the NADE's biases):
 * the tensors {@code Why} [inputWidth × projectionWidth] and {@code by} [1 × projectionWidth] come
 * first. The {@code ...Projected} methods hold the distribution itself and take q; the plain ones
 * ({@link #train}, {@link #evaluate}, ...) do the projection too, in Java. A family with fast matrix
 * products of its own (BLAS) may do the projection there and call the projected methods: the
 * projection is plain linear algebra, the same in every family.
 *
 * <p>Heads are registered in {@link Heads}: a new distribution is one class and one registry line.
 * Row {@code i} of every array argument is one step of one sequence; the order of the rows is the
 * family's own. A row whose {@code mask} is 0 adds nothing and gets a zero gradient.
 */
public interface OutputHead {
    /** The registry name ({@code output:} in a model's YAML). */
    String key();

    /** The data this head models. */
    OutputKind kind();

    /** Width of one hidden-state row (the family's top layer). */
    int inputWidth();

    /** Width of one step of data (vocabulary size, keys, series). */
    int width();

    /** Width of the projection q = h Why + by. */
    int projectionWidth();

    /** One parameter tensor, row-major in {@link #parameters()}; matrices take weight decay, biases do not. */
    record Tensor(String name, int rows, int cols, boolean matrix) {
        public int size() {
            return rows * cols;
        }
    }

    /** The tensors, in the order they lie in {@link #parameters()}: {@code Why}, {@code by}, then the head's own. */
    List<Tensor> tensors();

    /** All parameter values, flat, in {@link #tensors()}' order: the family writes the optimiser's current values here. */
    double[] parameters();

    /** d(mean loss)/d(parameters), same layout: the projection's part from {@link #train}, the rest from {@link #trainProjected} too. */
    double[] gradient();

    /** Draws starting values into {@link #parameters()} (and applies {@code frame_prior} where it applies). */
    void initialise(InitialWeights init, Double framePrior);

    /** Where the head's own tensors (after {@code Why} and {@code by}) start in {@link #parameters()}. */
    default int ownOffset() {
        return inputWidth() * projectionWidth() + projectionWidth();
    }

    /**
     * Forward and backward from projections q [n × projectionWidth]: returns the summed loss and hit
     * counts, writes d(mean loss over real rows)/dq into {@code dq}, and the same mean's gradient with
     * respect to the head's own tensors into {@link #gradient()} from {@link #ownOffset()} on.
     *
     * @param tokens  token targets [n] (TOKENS), else null
     * @param vectors frame or value targets [n × width] (FRAMES, VALUES), else null
     */
    EvalStats trainProjected(double[] q, int n, int[] tokens, float[] vectors, float[] mask, double[] dq);

    /**
     * Forward only from projections: the sums of row {@code i} go to group {@code group[i]}
     * ({@code group} null: all to group 0); the groups' sums add up to the whole batch's, as
     * {@code evaluateRows} needs.
     */
    EvalStats[] evaluateProjected(double[] q, int n, int[] tokens, float[] vectors, float[] mask, int[] group, int groups);

    /**
     * What a step's raw output is ({@code SequenceModel.logits}, the generator's return value),
     * [n × width], from projections: logits for tokens and independent keys, predictions for values.
     * A head whose keys depend on each other gives each key's logit given that no key below it sounds.
     */
    void outputsProjected(double[] q, int n, double[] out);

    /**
     * One frame drawn from the distribution whose projection is {@code q} (one row), every
     * conditional's logit divided by {@code temperature}. By default each key on its own, exactly as
     * {@link Sampler#sampleFrame} draws.
     */
    default float[] sampleFrameProjected(double[] q, double temperature, SplittableRandom random) {
        double[] out = new double[width()];
        outputsProjected(q, 1, out);
        float[] logits = new float[out.length];
        for (int i = 0; i < out.length; i++) logits[i] = (float) out[i];
        return Sampler.ofTemperature(temperature).sampleFrame(logits, random);
    }

    /** True when the expected frame accuracy this head reports is an estimate by sampling rather than exact. */
    default boolean sampledExpectedAccuracy() {
        return false;
    }

    /** q [n × projectionWidth] = hidden Why + by, in Java. */
    default double[] project(double[] hidden, int n) {
        double[] q = new double[n * projectionWidth()];
        Dense.forward(hidden, n, inputWidth(), parameters(), 0, parameters(), inputWidth() * projectionWidth(), projectionWidth(), q);
        return q;
    }

    /**
     * {@link #trainProjected} with the projection done here: also writes d(mean loss)/d(hidden) into
     * {@code dHidden} [n × inputWidth] and the projection's gradient into {@link #gradient()}.
     */
    default EvalStats train(double[] hidden, int n, int[] tokens, float[] vectors, float[] mask, double[] dHidden) {
        int in = inputWidth(), p = projectionWidth();
        double[] q = project(hidden, n), dq = new double[q.length];
        EvalStats stats = trainProjected(q, n, tokens, vectors, mask, dq);
        Dense.backwardWeights(hidden, n, in, dq, p, gradient(), 0, gradient(), in * p);
        Dense.backwardInput(dq, n, p, parameters(), 0, in, dHidden, new double[in * p]);
        return stats;
    }

    /** {@link #evaluateProjected} with the projection done here. */
    default EvalStats[] evaluate(double[] hidden, int n, int[] tokens, float[] vectors, float[] mask, int[] group, int groups) {
        return evaluateProjected(project(hidden, n), n, tokens, vectors, mask, group, groups);
    }

    /** {@link #outputsProjected} with the projection done here. */
    default void outputs(double[] hidden, int n, double[] out) {
        outputsProjected(project(hidden, n), n, out);
    }

    /** {@link #sampleFrameProjected} with the projection done here. */
    default float[] sampleFrame(double[] hidden, double temperature, SplittableRandom random) {
        return sampleFrameProjected(project(hidden, 1), temperature, random);
    }
}
