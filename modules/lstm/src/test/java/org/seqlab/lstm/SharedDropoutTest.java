package org.seqlab.lstm;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.DropoutMasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's dropout drops the unit the shared stream's [step][row][unit] mask names, whatever the
 * input's rank and memory order, and its backward pass scales the gradient by the same mask.
 */
class SharedDropoutTest {
    private static final int ROWS = 5, UNITS = 7, STEPS = 4;

    @Test
    void everyLayoutTakesTheCanonicalMaskAtTheSameStepRowAndUnit() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE})
            for (char order : new char[]{'f', 'c'})
                for (int rank = 2; rank <= 3; rank++) {
                    SharedDropout d = new SharedDropout(0.4);
                    d.bind(new DropoutMasks(0.4, 9));
                    double[] canon = new double[ROWS * UNITS * STEPS];
                    new DropoutMasks(0.4, 9).fill(canon, canon.length);
                    long[] shape = rank == 3 ? new long[]{ROWS, UNITS, STEPS} : new long[]{(long) STEPS * ROWS, UNITS};
                    INDArray ones = Nd4j.ones(type, shape).dup(order);
                    INDArray out = d.applyDropout(ones, Nd4j.create(type, shape, order), 0, 0, LayerWorkspaceMgr.noWorkspaces());
                    int dropped = 0;
                    for (int t = 0; t < STEPS; t++)
                        for (int b = 0; b < ROWS; b++)
                            for (int u = 0; u < UNITS; u++) {
                                double expected = canon[(t * ROWS + b) * UNITS + u];
                                double got = rank == 3 ? out.getDouble(b, u, t) : out.getDouble((long) t * ROWS + b, u);
                                assertEquals(expected, got, 1e-6, type + " " + order + " rank " + rank + " at step " + t + " row " + b + " unit " + u);
                                if (expected == 0) dropped++;
                            }
                    assertTrue(dropped > 0 && dropped < canon.length, "some units dropped, not all: " + dropped);
                    INDArray grad = Nd4j.ones(type, shape).dup(order).muli(3);
                    INDArray back = d.backprop(grad, Nd4j.create(type, shape, order), 0, 0);
                    assertEquals(out.mul(3), back, type + " " + order + " rank " + rank + ": the gradient through the same mask");
                }
    }

    @Test
    void theStreamKeepsUnitsAtOneMinusTheRate() {
        DropoutMasks m = new DropoutMasks(0.25, 3);
        float[] v = new float[200_001];
        m.fill(v, v.length);
        int kept = 0;
        for (float x : v) {
            if (x != 0) {
                assertEquals(1 / 0.75f, x, 0f, "a kept unit is scaled by 1/(1-p)");
                kept++;
            }
        }
        assertEquals(0.75, kept / (double) v.length, 0.005, "kept fraction");
    }
}
