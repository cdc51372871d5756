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
 * Layouts: a recurrent input [rows, units, steps] and a 2-d input (the output layer's, which DL4J
 * reshapes to [steps·rows, units] with step-major rows) take the mask's [step][row][unit] values at
 * the same (step, row, unit), laid out in the input's memory order. The model binds the stream
 * after building or loading the network ({@link #bind}); only the rate is part of DL4J's saved
 * configuration.
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
    private transient INDArray maskBuffer;           // reused while the shape and order stay
    @JsonIgnore
    private transient int[] where;                  // see memoryPositions
    @JsonIgnore
    private transient float[] canonF, memoryF;     // the mask in the stream's order, then in the input's
    @JsonIgnore
    private transient double[] canonD, memoryD;

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
        char order = input.ordering();
        DataType type = input.dataType();
        if (maskBuffer == null || !Arrays.equals(maskShape, shape) || maskBuffer.ordering() != order || maskBuffer.dataType() != type) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                maskBuffer = Nd4j.create(type, shape, order);
            }
            maskShape = shape.clone();
            where = memoryPositions(shape, order);
            int n = where.length;
            canonF = type == DataType.FLOAT ? new float[n] : null;
            memoryF = type == DataType.FLOAT ? new float[n] : null;
            canonD = type == DataType.FLOAT ? null : new double[n];
            memoryD = type == DataType.FLOAT ? null : new double[n];
        }
        // the mask laid out in the input's own memory order, so that the product runs over two
        // dense arrays alike (ND4J's product with a permuted view walks it element by element)
        if (canonF != null) {
            masks.fill(canonF, canonF.length);
            for (int i = 0; i < where.length; i++) memoryF[where[i]] = canonF[i];
            NativeSlices.putDense(memoryF, 0, maskBuffer);
        } else {
            masks.fill(canonD, canonD.length);
            for (int i = 0; i < where.length; i++) memoryD[where[i]] = canonD[i];
            NativeSlices.putDense(memoryD, 0, maskBuffer);
        }
        mask = maskBuffer;
        return input.mul(mask, result);
    }

    /**
     * Where the canonical [step][row][unit] mask's i-th value lies in the memory of an array of
     * {@code shape} in {@code order}: a recurrent input is [rows, units, steps], a 2-d one
     * [steps·rows, units] with step-major rows.
     */
    static int[] memoryPositions(long[] shape, char order) {
        boolean recurrent = shape.length == 3;
        int rows = (int) shape[0], units = (int) shape[1], steps = recurrent ? (int) shape[2] : 1;
        int[] where = new int[rows * units * steps];
        for (int t = 0, i = 0; t < steps; t++)
            for (int b = 0; b < rows; b++)
                for (int u = 0; u < units; u++, i++)
                    where[i] = recurrent
                            ? (order == 'f' ? (t * units + u) * rows + b : (b * units + u) * steps + t)
                            : (order == 'f' ? u * rows + b : b * units + u);
        return where;
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
