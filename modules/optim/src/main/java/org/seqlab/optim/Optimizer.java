package org.seqlab.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.OptimizerSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The one optimisation step of every seqlab family: clip the gradient, decay the weights, apply the
 * update rule. It works on one flat parameter array and one flat gradient array of the same layout
 * (a family keeps its tensors as views into them), so a step is a dozen whole-array operations
 * whatever the number of tensors (ND4J's per-op overhead dominates at these sizes).
 *
 * <p>The rules are PyTorch's (torch.optim), written out because ND4J's updaters differ: its Adam
 * adds epsilon before the bias correction of the second moment, its momentum is Nesterov's, and it
 * has no AdamW. Weight decay is decoupled for every type: {@code p *= 1 - lr * weight_decay} before
 * the update, on the tensors the decay policy selects.
 */
public final class Optimizer implements AutoCloseable {

    /**
     * One tensor of the flat layout.
     *
     * @param matrix a weight matrix or embedding (decays under the default policy); false for
     *               biases, LayerNorm gains and offsets
     */
    public record Tensor(String name, long offset, long length, boolean matrix) {}

    private final OptimizerSpec spec;
    private final ClipSpec clip;
    private final long size;
    private final INDArray state, first, second, scratch;
    private final List<long[]> decayRanges = new ArrayList<>();
    private int iteration;
    private INDArray average;              // the weights' moving average (spec.ema() > 0), from the first step
    private boolean swapped;               // the parameters hold the average, the average the weights
    /** Adam's update in one pass (AdamKernel), or in ND4J's ops without the Vector API. */
    private final boolean kernels = FusedKernels.enabled();

    /**
     * @param layout the tensors in flat order; they must tile {@code [0, size)} without gaps
     */
    public Optimizer(OptimizerSpec spec, ClipSpec clip, DataType dtype, List<Tensor> layout) {
        this.spec = spec;
        this.clip = clip;
        long end = 0;
        for (Tensor t : layout) {
            if (t.offset() != end) throw new IllegalArgumentException("tensor " + t.name() + " starts at " + t.offset() + ", expected " + end);
            end += t.length();
            boolean decays = spec.decayParams() == OptimizerSpec.DecayParams.ALL || t.matrix();
            if (!decays) continue;
            long[] last = decayRanges.isEmpty() ? null : decayRanges.get(decayRanges.size() - 1);
            if (last != null && last[1] == t.offset()) last[1] = end;        // merge neighbours: fewer ops
            else decayRanges.add(new long[]{t.offset(), end});
        }
        size = end;
        int slots = switch (spec.type()) {
            case SGD -> 0;
            case MOMENTUM, ADAGRAD, RMSPROP -> 1;
            case ADAM, ADAMW -> 2;
        };
        state = slots == 0 ? null : Nd4j.zeros(dtype, slots * size);
        first = slots == 0 ? null : range(state, 0, size);
        second = slots < 2 ? null : range(state, size, 2 * size);
        scratch = slots == 0 ? null : Nd4j.create(dtype, size);
    }

    private static INDArray range(INDArray flat, long from, long to) {
        return flat.get(NDArrayIndex.interval(from, to));
    }

    /** Number of parameters this optimiser updates. */
    public long size() {
        return size;
    }

    /** Clips {@code grad} in place as configured; returns its global L2 norm before clipping. */
    public double clip(INDArray gradient) {
        INDArray grad = flat(gradient);
        double norm = grad.norm2Number().doubleValue();
        switch (clip.mode()) {
            case NONE -> { }
            case VALUE -> {
                Transforms.min(grad, clip.threshold(), false);
                Transforms.max(grad, -clip.threshold(), false);
            }
            case NORM -> {                                       // as torch.nn.utils.clip_grad_norm_
                double coefficient = clip.threshold() / (norm + 1e-6);
                if (coefficient < 1) grad.muli(coefficient);
            }
        }
        return norm;
    }

    /**
     * One update: {@code params -= lr * rule(grad)} after decoupled weight decay. {@code grad} is
     * consumed (used as scratch). Clip first with {@link #clip}.
     */
    public void step(INDArray parameters, INDArray gradient, double lr) {
        if (parameters.length() != size || gradient.length() != size)
            throw new IllegalArgumentException("expected " + size + " parameters and gradients, got " + parameters.length() + " and " + gradient.length());
        if (swapped) throw new IllegalStateException("a training step while the parameters hold their average: swap them back first");
        INDArray params = flat(parameters), grad = flat(gradient);
        if (spec.ema() > 0 && average == null) average = params.dup();      // the average starts at the initial weights
        iteration++;
        double wd = spec.weightDecay();
        if (wd > 0) for (long[] r : decayRanges) range(params, r[0], r[1]).muli(1 - lr * wd);
        switch (spec.type()) {
            case SGD -> axpy(-lr, grad, params);
            case MOMENTUM -> {                                  // buf = mu * buf + g; p -= lr * buf
                first.muli(spec.beta1()).addi(grad);
                axpy(-lr, first, params);
            }
            case ADAGRAD -> {                                   // sum += g^2; p -= lr * g / (sqrt(sum) + eps)
                first.addi(grad.mul(grad, scratch));
                denominator(first, 1, scratch);
                axpy(-lr, grad.divi(scratch), params);
            }
            case RMSPROP -> {                                   // v = a v + (1-a) g^2; p -= lr * g / (sqrt(v) + eps)
                first.muli(spec.beta2());
                axpy(1 - spec.beta2(), grad.mul(grad, scratch), first);
                denominator(first, 1, scratch);
                axpy(-lr, grad.divi(scratch), params);
            }
            case ADAM, ADAMW -> {                               // torch.optim.Adam(W), amsgrad off
                double b1 = spec.beta1(), b2 = spec.beta2();
                double bc1 = 1 - Math.pow(b1, iteration), bc2 = 1 - Math.pow(b2, iteration);
                if (kernels) AdamKernel.step(params, grad, first, second, b1, b2, lr / bc1, 1 / Math.sqrt(bc2), spec.epsilon());
                else {
                    first.muli(b1);
                    axpy(1 - b1, grad, first);
                    second.muli(b2);
                    axpy(1 - b2, grad.mul(grad, scratch), second);
                    denominator(second, 1 / Math.sqrt(bc2), scratch);       // sqrt(v) / sqrt(bc2) + eps
                    axpy(-lr / bc1, first.div(scratch, grad), params);
                }
            }
        }
        if (average != null) {                                  // avg = ema * avg + (1 - ema) * p
            average.muli(spec.ema());
            axpy(1 - spec.ema(), params, average);
        }
    }

    /**
     * Swaps the contents of {@code parameters} and the weights' moving average, so that a model
     * evaluates (or saves) the average; a second call swaps them back. Does nothing and returns
     * false when there is no average (ema off, or no step yet). Steps are refused while swapped.
     */
    public boolean swapAverage(INDArray parameters) {
        if (average == null) return false;
        Nd4j.getBlasWrapper().level1().swap(flat(parameters), average);
        swapped = !swapped;
        return true;
    }

    /** A rank-1 view of a contiguous array (DL4J keeps its flat arrays as [1, n] rows), for ranges by element. */
    public static INDArray flat(INDArray a) {
        if (a.rank() == 1) return a;
        INDArray v = Shape.newShapeNoCopy(a, new long[]{a.length()}, a.ordering() == 'f');
        if (v == null) throw new IllegalArgumentException("the optimiser needs a contiguous array, got " + a.shapeInfoToString());
        return v;
    }

    /** {@code out = sqrt(v) * scale + eps}. */
    private void denominator(INDArray v, double scale, INDArray out) {
        Nd4j.exec(new Sqrt(v, out));
        if (scale != 1) out.muli(scale);
        out.addi(spec.epsilon());
    }

    /** {@code y += alpha * x} in one operation. */
    private static void axpy(double alpha, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level1().axpy(y.length(), alpha, x, y);
    }

    /** Moments etc. for checkpoints, one flat array; null for plain SGD. */
    public INDArray state() {
        return state;
    }

    /** Updates done so far (Adam's bias correction counts them). */
    public int iteration() {
        return iteration;
    }

    /** Puts back what {@link #state()} and {@link #iteration()} returned. */
    public void restore(INDArray savedState, int savedIteration) {
        if (state != null) {
            if (savedState == null || savedState.length() != state.length())
                throw new IllegalArgumentException("saved optimiser state has " + (savedState == null ? 0 : savedState.length())
                        + " values, this optimiser keeps " + state.length());
            state.assign(savedState.reshape(state.shape()));
        }
        iteration = savedIteration;
    }

    @Override
    public void close() {
        for (INDArray a : new INDArray[]{state, scratch, average})
            if (a != null && a.closeable() && !a.wasClosed()) a.close();
    }
}
