package org.seqlab.lstm;

import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.seqlab.core.DropoutMasks;
import org.seqlab.optim.NativeSlices;

import java.util.Arrays;

/**
 * DL4J's inverted dropout on a layer's input, with its masks drawn from the model's
 * {@link DropoutMasks} stream instead of ND4J's generator, so the DL4J LSTM drops the same units as
 * the hand-rolled LSTM built from the same seed (the twins' curves with dropout then agree to
 * rounding, not only within seed noise). DL4J applies a layer's dropout to that layer's input; the
 * layers after each LSTM hold one, so the masks fall after every LSTM layer, in network order, as
 * the hand-rolled family draws them.
 * <p>
 * Layouts: a recurrent input [rows, units, steps] takes the mask's [step][row][unit] order through
 * a permuted view; a 2-d input (the output layer's, which DL4J reshapes to [steps·rows, units] with
 * step-major rows) takes it as it is. The model binds the stream after building or loading the
 * network ({@link #bind}); only the rate is part of DL4J's saved configuration.
 */
public final class SharedDropout implements IDropout {
    private static final long serialVersionUID = 1L;

    /** The probability of dropping a unit (DL4J's own {@code Dropout} takes the retain probability). */
    private double rate;
    @JsonIgnore
    private transient DropoutMasks masks;
    @JsonIgnore
    private transient INDArray mask;                 // the last training pass's, for the backward pass
    @JsonIgnore
    private transient long[] maskShape;
    @JsonIgnore
    private transient INDArray maskBuffer;           // reused while the shape stays
    @JsonIgnore
    private transient float[] floats;
    @JsonIgnore
    private transient double[] doubles;

    public SharedDropout() {}

    SharedDropout(double rate) {
        this.rate = rate;
    }

    public double getRate() {
        return rate;
    }

    public void setRate(double rate) {
        this.rate = rate;
    }

    void bind(DropoutMasks masks) {
        if (masks.rate() != rate) throw new IllegalStateException("dropout " + rate + " bound to a stream of rate " + masks.rate());
        this.masks = masks;
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray result, int iteration, int epoch, LayerWorkspaceMgr workspaceMgr) {
        if (masks == null) throw new IllegalStateException("no dropout stream bound to this layer (the model binds it)");
        long[] shape = input.shape();
        if (shape.length != 2 && shape.length != 3)
            throw new IllegalStateException("dropout expects a [rows, units, steps] or [rows, units] input, got " + Arrays.toString(shape));
        long[] canonical = shape.length == 3 ? new long[]{shape[2], shape[0], shape[1]} : shape;
        DataType type = input.dataType();
        if (maskBuffer == null || !Arrays.equals(maskShape, canonical) || maskBuffer.dataType() != type) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                maskBuffer = Nd4j.create(type, canonical);
            }
            maskShape = canonical;
            int n = (int) maskBuffer.length();
            floats = type == DataType.FLOAT ? new float[n] : null;
            doubles = type == DataType.FLOAT ? null : new double[n];
        }
        if (floats != null) {
            masks.fill(floats, floats.length);
            NativeSlices.put(floats, 0, maskBuffer);
        } else {
            masks.fill(doubles, doubles.length);
            NativeSlices.put(doubles, 0, maskBuffer);
        }
        mask = shape.length == 3 ? maskBuffer.permute(1, 2, 0) : maskBuffer;
        return input.mul(mask, result);
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (mask == null) throw new IllegalStateException("dropout's backward pass without its forward pass");
        INDArray out = gradAtOutput.mul(mask, gradAtInput);
        mask = null;
        return out;
    }

    @Override
    public void clear() {
        mask = null;
    }

    /** A copy for another layer (DL4J clones a layer's configuration): the same rate and stream. */
    @Override
    public SharedDropout clone() {
        SharedDropout c = new SharedDropout(rate);
        c.masks = masks;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SharedDropout d && d.rate == rate;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(rate);
    }

    @Override
    public String toString() {
        return "SharedDropout(" + rate + ")";
    }
}
