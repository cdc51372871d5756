package org.seqlab.core.head;

import org.seqlab.core.EvalStats;
import org.seqlab.core.InitialWeights;
import org.seqlab.core.OutputKind;

import java.util.List;

/**
 * A head whose output is one linear map of the hidden state, {@code out = h Why + by}, scored per
 * element by {@link #score}: the softmax, independent-Bernoulli and squared-error heads. The tensors
 * are named {@code Why} [inputWidth × width] and {@code by} [1 × width], as the hand-rolled family
 * always named its output layer.
 */
public abstract class LinearHead implements OutputHead {
    private final int in, width;
    private final double[] params, grad;

    protected LinearHead(int inputWidth, int width) {
        this.in = inputWidth;
        this.width = width;
        params = new double[in * width + width];
        grad = new double[params.length];
    }

    @Override public int inputWidth() { return in; }
    @Override public int width() { return width; }
    @Override public double[] parameters() { return params; }
    @Override public double[] gradient() { return grad; }

    @Override
    public List<Tensor> tensors() {
        return List.of(new Tensor("Why", in, width, true), new Tensor("by", 1, width, false));
    }

    @Override
    public void initialise(InitialWeights init, Double framePrior) {
        InitialWeights.Linear l = init.output(in, width);
        System.arraycopy(l.w(), 0, params, 0, in * width);
        System.arraycopy(l.b(), 0, params, in * width, width);
        if (framePrior != null && kind() == OutputKind.FRAMES)
            java.util.Arrays.fill(params, in * width, params.length, org.seqlab.core.FramePrior.bias(framePrior));
    }

    @Override
    public int projectionWidth() {
        return width;
    }

    @Override
    public EvalStats trainProjected(double[] q, int n, int[] tokens, float[] vectors, float[] mask, double[] dq) {
        EvalStats stats = scoreAll(kind(), q, width, n, tokens, vectors, mask, dq, null, 1)[0];
        double scale = stats.count() == 0 ? 0 : 1.0 / stats.count();        // gradient of the mean loss
        for (int i = 0; i < n * width; i++) dq[i] *= scale;
        return stats;
    }

    @Override
    public EvalStats[] evaluateProjected(double[] q, int n, int[] tokens, float[] vectors, float[] mask, int[] group, int groups) {
        return scoreAll(kind(), q, width, n, tokens, vectors, mask, null, group, groups);
    }

    /** The projection is the output: logits, or the prediction for values. */
    @Override
    public void outputsProjected(double[] q, int n, double[] out) {
        System.arraycopy(q, 0, out, 0, n * width);
    }

    /**
     * Scores {@code n} rows of outputs: the one definition of the per-element losses (see
     * {@link org.seqlab.core.OutputLoss}, which families that keep their own output layer call).
     *
     * @param grad filled with d(summed loss)/d(outputs) when non-null (0 for masked rows)
     */
    public static EvalStats[] scoreAll(OutputKind kind, double[] out, int width, int n, int[] tokens, float[] vectors,
                                       float[] mask, double[] grad, int[] group, int groups) {
        Tally t = new Tally(groups);
        for (int i = 0; i < n; i++) {
            int o = i * width;
            if (mask[i] == 0) {
                if (grad != null) java.util.Arrays.fill(grad, o, o + width, 0);
                continue;
            }
            int g = group == null ? 0 : group[i];
            t.count[g]++;
            switch (kind) {
                case TOKENS -> SoftmaxHead.score(out, o, width, tokens[i], grad, t, g);
                case FRAMES -> BernoulliHead.score(out, o, width, vectors, grad, t, g);
                case VALUES -> GaussianHead.score(out, o, width, vectors, grad, t, g);
            }
        }
        return t.stats();
    }
}
