package org.seqlab.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Java-side state of one LSTM layer's pass over a sequence for {@link LstmKernel}: the gates,
 * cells and tanh(cells) of every step and the scratch of one step, in the layer's precision. A
 * family keeps its products in ND4J (a step's recurrent product writes the step's pre-activations;
 * the weight gradients multiply the pre-activations' gradients of every step at once) and calls
 * {@link #forward} and {@link #backward} once a step in between: one copy in and one copy out each.
 * One per (steps, batch) shape, kept with the family's other buffers.
 */
public final class LstmSteps {
    private final LstmKernel.Layout layout;
    private final int steps, cells, size;
    private final boolean single;
    // one of each pair is used: float for FLOAT layers, double for DOUBLE ones
    private float[] zF, actF, cF, tcF, tcDF, hF, dOutF, dhF, dcF, dzF;
    private double[] zD, actD, cD, tcD, tcDD, hD, dOutD, dhD, dcD, dzD;
    private boolean maskedDerivative;

    public LstmSteps(DataType type, int steps, LstmKernel.Layout layout) {
        if (type != DataType.FLOAT && type != DataType.DOUBLE) throw new IllegalArgumentException("float or double, not " + type);
        this.layout = layout;
        this.steps = steps;
        this.cells = layout.cells();
        this.size = layout.size();
        this.single = type == DataType.FLOAT;
        if (single) {
            zF = new float[size]; actF = new float[steps * size]; cF = new float[(steps + 1) * cells]; tcF = new float[steps * cells];
            hF = new float[cells]; dOutF = new float[steps * cells]; dhF = new float[cells]; dcF = new float[cells]; dzF = new float[size];
        } else {
            zD = new double[size]; actD = new double[steps * size]; cD = new double[(steps + 1) * cells]; tcD = new double[steps * cells];
            hD = new double[cells]; dOutD = new double[steps * cells]; dhD = new double[cells]; dcD = new double[cells]; dzD = new double[size];
        }
    }

    /** Bytes held on the Java heap. */
    public long bytes() {
        long n = size + (long) steps * size + (long) (steps + 1) * cells + 2L * steps * cells + 3L * cells + size;
        return n * (single ? 4 : 8);
    }

    /** The cell state before the first step: {@code c0} (a contiguous [rows, length] block), or zeros when null. */
    public void initialCell(INDArray c0) {
        maskedDerivative = false;
        if (c0 == null) {
            if (single) java.util.Arrays.fill(cF, 0, cells, 0f); else java.util.Arrays.fill(cD, 0, cells, 0d);
        } else if (single) NativeSlices.get(c0, cF, 0);
        else NativeSlices.get(c0, cD, 0);
    }

    /**
     * Step t: the pre-activations {@code z} (the step's contiguous ND4J slab) become the gates and
     * cell, and the output goes to {@code h} (a contiguous ND4J block). With {@code mask} (null:
     * none), the cell and output of the layout's row r are multiplied by {@code mask[maskFrom + r]},
     * as DL4J zeroes the state of a masked step.
     */
    public void forward(int t, INDArray z, INDArray h, double[] mask, int maskFrom) {
        if (single) {
            NativeSlices.get(z, zF, 0);
            LstmKernel.forward(layout, zF, actF, t * size, cF, t * cells, (t + 1) * cells, tcF, t * cells, hF);
            if (mask != null)
                for (int e = 0, c = (t + 1) * cells; e < cells; e++) {
                    float m = (float) mask[maskFrom + e / layout.length()];
                    cF[c + e] *= m;
                    hF[e] *= m;
                }
            NativeSlices.put(hF, 0, h);
        } else {
            NativeSlices.get(z, zD, 0);
            LstmKernel.forward(layout, zD, actD, t * size, cD, t * cells, (t + 1) * cells, tcD, t * cells, hD);
            if (mask != null)
                for (int e = 0, c = (t + 1) * cells; e < cells; e++) {
                    double m = mask[maskFrom + e / layout.length()];
                    cD[c + e] *= m;
                    hD[e] *= m;
                }
            NativeSlices.put(hD, 0, h);
        }
    }

    /** Copies the cell after step t (0: the initial one) into {@code into} (a contiguous [rows, length] block). */
    public void cell(int t, INDArray into) {
        if (single) NativeSlices.put(cF, t * cells, into);
        else NativeSlices.put(cD, t * cells, into);
    }

    /**
     * The gradient with respect to every step's output, as a contiguous [steps, rows, length] ND4J
     * array; read once before the backward steps.
     */
    public void outputGradient(INDArray dOut) {
        if (single) NativeSlices.get(dOut, dOutF, 0);
        else NativeSlices.get(dOut, dOutD, 0);
    }

    /**
     * Takes the cell's derivative at tanh of the cell as stored (masked) rather than as computed,
     * as DL4J's own path does for a masked pass; until the next {@link #initialCell}.
     */
    public void deriveAtStoredCells() {
        maskedDerivative = true;
        if (single) {
            if (tcDF == null) tcDF = new float[steps * cells];
            for (int e = 0; e < steps * cells; e++) tcDF[e] = (float) Math.tanh(cF[cells + e]);
        } else {
            if (tcDD == null) tcDD = new double[steps * cells];
            for (int e = 0; e < steps * cells; e++) tcDD[e] = Math.tanh(cD[cells + e]);
        }
    }

    /**
     * Step t backward: writes the pre-activations' gradient into {@code dz} (the step's contiguous
     * ND4J slab), from the output's gradient and, unless t is the {@code last} step of the
     * backward sweep, {@code dhNext} (the gradient with respect to this step's output through the
     * next step's product) and the cell gradient the next step left.
     */
    public void backward(int t, boolean last, INDArray dhNext, INDArray dz) {
        if (single) {
            if (!last) NativeSlices.get(dhNext, dhF, 0);
            LstmKernel.backward(layout, last, dOutF, t * cells, dhF, actF, t * size, cF, t * cells, tcF, t * cells,
                    maskedDerivative ? tcDF : tcF, t * cells, dcF, dzF);
            NativeSlices.put(dzF, 0, dz);
        } else {
            if (!last) NativeSlices.get(dhNext, dhD, 0);
            LstmKernel.backward(layout, last, dOutD, t * cells, dhD, actD, t * size, cD, t * cells, tcD, t * cells,
                    maskedDerivative ? tcDD : tcD, t * cells, dcD, dzD);
            NativeSlices.put(dzD, 0, dz);
        }
    }
}
