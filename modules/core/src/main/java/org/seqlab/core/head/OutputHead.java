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
 * states into the same head object; the head owns its parameters (the output projection included),
 * and the family carries them through its one optimiser and its checkpoints as tensors named by
 * {@link #tensors()}: before a pass the family copies its current values into {@link #parameters()},
 * after {@link #train} it takes {@link #gradient()} back.
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

    /** One parameter tensor, row-major in {@link #parameters()}; matrices take weight decay, biases do not. */
    record Tensor(String name, int rows, int cols, boolean matrix) {
        public int size() {
            return rows * cols;
        }
    }

    /** The tensors, in the order they lie in {@link #parameters()}. */
    List<Tensor> tensors();

    /** All parameter values, flat, in {@link #tensors()}' order: the family writes the optimiser's current values here. */
    double[] parameters();

    /** d(mean loss)/d(parameters) from the last {@link #train}, same layout. */
    double[] gradient();

    /** Draws starting values into {@link #parameters()} (and applies {@code frame_prior} where it applies). */
    void initialise(InitialWeights init, Double framePrior);

    /**
     * Forward and backward over {@code n} rows: returns the summed loss and hit counts, writes
     * d(mean loss over real rows)/d(hidden) into {@code dHidden} ([n × inputWidth]) and the same
     * mean's gradient with respect to the parameters into {@link #gradient()} (overwritten).
     *
     * @param tokens  token targets [n] (TOKENS), else null
     * @param vectors frame or value targets [n × width] (FRAMES, VALUES), else null
     */
    EvalStats train(double[] hidden, int n, int[] tokens, float[] vectors, float[] mask, double[] dHidden);

    /**
     * Forward only: the sums of row {@code i} go to group {@code group[i]} ({@code group} null: all
     * to group 0); the groups' sums add up to the whole batch's, as {@code evaluateRows} needs.
     */
    EvalStats[] evaluate(double[] hidden, int n, int[] tokens, float[] vectors, float[] mask, int[] group, int groups);

    /**
     * What a step's raw output is ({@code SequenceModel.logits}, the generator's return value),
     * [n × width]: logits for tokens and independent keys, predictions for values. A head whose keys
     * depend on each other gives each key's logit given that no key below it sounds.
     */
    void outputs(double[] hidden, int n, double[] out);

    /**
     * One frame drawn from the distribution of the step whose hidden state is {@code hidden} (one
     * row), every conditional's logit divided by {@code temperature}. By default each key on its own,
     * exactly as {@link Sampler#sampleFrame} draws.
     */
    default float[] sampleFrame(double[] hidden, double temperature, SplittableRandom random) {
        double[] out = new double[width()];
        outputs(hidden, 1, out);
        float[] logits = new float[out.length];
        for (int i = 0; i < out.length; i++) logits[i] = (float) out[i];
        return Sampler.ofTemperature(temperature).sampleFrame(logits, random);
    }

    /** True when the expected frame accuracy this head reports is an estimate by sampling rather than exact. */
    default boolean sampledExpectedAccuracy() {
        return false;
    }

    /** The starting parameters' count. */
    default long parameterCount() {
        return parameters().length;
    }
}
