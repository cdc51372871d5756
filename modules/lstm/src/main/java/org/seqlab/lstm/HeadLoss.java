package org.seqlab.lstm;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.seqlab.core.EvalStats;
import org.seqlab.core.OutputKind;
import org.seqlab.core.head.OutputHead;

/**
 * DL4J's loss function for an {@code RnnOutputLayer} whose activations are an {@link OutputHead}'s
 * projection q = h W + b (identity activation: DL4J's W and b are the head's {@code Why} and
 * {@code by}): score and gradient come from the head's {@link OutputHead#trainProjected}, so DL4J
 * back-propagates the head's dL/dq through its layers. DL4J hands the loss 2-d arrays, one row per
 * (example, step) in its own order: labels [n, width] (one-hot tokens, multi-hot frames or values),
 * q [n, projectionWidth], the label mask [n, 1] (or none). The gradient returned is that of the
 * <b>mean</b> loss over real steps (not DL4J's summed loss), so DL4J's flat gradient is every
 * family's; the head's own tensors' gradient (a NADE's) is left in {@link OutputHead#gradient()}.
 *
 * <p>DL4J computes the gradient first and then the score of the same q; the score is taken from
 * that pass when q is the same, so a NADE's frames are walked once per step. The head is bound by
 * the model after the network is built (or restored): it is not part of DL4J's JSON configuration.
 */
public final class HeadLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    /** The head's registry name, for DL4J's saved configuration (information only: the model binds the head). */
    private String output;
    @JsonIgnore
    private transient OutputHead head;
    @JsonIgnore
    private transient double[] lastQ;
    @JsonIgnore
    private transient double lastLoss;

    public HeadLoss() {}

    HeadLoss(String output) {
        this.output = output;
    }

    public String getOutput() {
        return output;
    }

    public void setOutput(String output) {
        this.output = output;
    }

    void bind(OutputHead head) {
        this.head = head;
        this.output = head.key();
    }

    OutputHead head() {
        return head;
    }

    /**
     * The summed loss of the last gradient pass. DL4J would score the output layer again after the
     * backward pass, with another projection and without the output layer's dropout, which the
     * gradient's pass had (and the hand-rolled twin's training loss has).
     */
    double gradientPassLossSum() {
        if (lastQ == null) throw new IllegalStateException("no gradient pass to score");
        return lastLoss;
    }

    /** One DL4J call's arrays as the head takes them. */
    private record Rows(int n, double[] q, int[] tokens, float[] vectors, float[] mask) {}

    private Rows rows(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
        if (head == null) throw new IllegalStateException("no output head bound to this loss function (the model binds it)");
        if (!(activation instanceof ActivationIdentity))
            throw new IllegalStateException("the head's projection needs an identity activation, got " + activation);
        int n = (int) preOutput.size(0), p = head.projectionWidth(), w = head.width();
        if (preOutput.size(1) != p || labels.size(0) != n || labels.size(1) != w)
            throw new IllegalStateException("head " + head.key() + " expects q [n, " + p + "] and labels [n, " + w + "], got "
                    + java.util.Arrays.toString(preOutput.shape()) + " and " + java.util.Arrays.toString(labels.shape()));
        double[] q = doubles(preOutput);
        float[] m = new float[n];
        if (mask == null) java.util.Arrays.fill(m, 1f);
        else if (mask.length() == n) {
            double[] md = doubles(mask);
            for (int i = 0; i < n; i++) m[i] = (float) md[i];
        } else throw new IllegalStateException("per-output masks are not supported by an output head; got mask " + java.util.Arrays.toString(mask.shape()));
        float[] vectors = floats(labels);
        int[] tokens = null;
        if (head.kind() == OutputKind.TOKENS) {
            tokens = new int[n];
            for (int i = 0; i < n; i++) {
                int arg = 0;
                for (int k = 1; k < w; k++) if (vectors[i * w + k] > vectors[i * w + arg]) arg = k;
                tokens[i] = arg;
            }
            vectors = null;
        }
        return new Rows(n, q, tokens, vectors, m);
    }

    /** Row-major values of a 2-d array (whatever its order or view). */
    static double[] doubles(INDArray a) {
        INDArray c = a.castTo(DataType.DOUBLE).dup('c');
        double[] v = c.data().asDouble();
        return v.length == a.length() ? v : java.util.Arrays.copyOf(v, (int) a.length());
    }

    private static float[] floats(INDArray a) {
        INDArray c = a.castTo(DataType.FLOAT).dup('c');
        float[] v = c.data().asFloat();
        return v.length == a.length() ? v : java.util.Arrays.copyOf(v, (int) a.length());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Rows r = rows(labels, preOutput, activationFn, mask);
        double[] dq = new double[r.q().length];
        EvalStats s = head.trainProjected(r.q(), r.n(), r.tokens(), r.vectors(), r.mask(), dq);
        lastQ = r.q();
        lastLoss = s.lossSum();
        return Nd4j.create(dq, preOutput.shape(), 'c').castTo(preOutput.dataType());
    }

    /** The summed loss of the rows (divided by the rows with {@code average}). */
    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        Rows r = rows(labels, preOutput, activationFn, mask);
        double loss;
        if (lastQ != null && java.util.Arrays.equals(lastQ, r.q())) loss = lastLoss;       // the gradient's pass
        else loss = head.evaluateProjected(r.q(), r.n(), r.tokens(), r.vectors(), r.mask(), null, 1)[0].lossSum();
        lastQ = null;
        return average ? loss / r.n() : loss;
    }

    /** Each row's loss, [n, 1]. */
    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Rows r = rows(labels, preOutput, activationFn, mask);
        int[] group = new int[r.n()];
        for (int i = 0; i < group.length; i++) group[i] = i;
        EvalStats[] each = head.evaluateProjected(r.q(), r.n(), r.tokens(), r.vectors(), r.mask(), group, r.n());
        double[] out = new double[r.n()];
        for (int i = 0; i < out.length; i++) out[i] = each[i].lossSum();
        return Nd4j.create(out, new long[]{r.n(), 1}, 'c').castTo(preOutput.dataType());
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        INDArray g = computeGradient(labels, preOutput, activationFn, mask);
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average), g);
    }

    @Override
    public String name() {
        return "head(" + output + ")";
    }

    @Override
    public String toString() {
        return name();
    }
}
