package org.seqlab.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchArraysTest {
    /** Two rows, three steps, vocabulary 4: row 0 reads 0 1 2 and predicts 1 2 3; row 1 reads 3 2 1 and predicts 2 1 0. */
    private static final TokenBatch TOKENS = new TokenBatch(2, 3, new int[]{0, 1, 2, 3, 2, 1}, new int[]{1, 2, 3, 2, 1, 0},
            new float[]{1, 1, 0, 1, 0, 0}, false);

    @Test
    void eachLayoutPutsStepTOfRowRUnitKWhereItsIndexSays() {
        for (BatchArrays.Layout layout : BatchArrays.Layout.values()) {
            float[] x = new float[2 * 3 * 4], y = new float[2 * 3 * 4];
            BatchArrays.inputs(TOKENS, 4, layout, x);
            BatchArrays.targets(TOKENS, 4, layout, y);
            float ones = 0;
            for (int r = 0; r < 2; r++)
                for (int t = 0; t < 3; t++)
                    for (int k = 0; k < 4; k++) {
                        int i = layout.index(r, t, k, 2, 3, 4);
                        assertEquals(k == TOKENS.inputs()[r * 3 + t] ? 1f : 0f, x[i], layout + " input r" + r + " t" + t + " k" + k);
                        assertEquals(k == TOKENS.targets()[r * 3 + t] ? 1f : 0f, y[i], layout + " target");
                        ones += x[i];
                    }
            assertEquals(6, ones, "one 1 a step");
        }
    }

    @Test
    void perStepArraysAndDenseBatchesFollowTheLayout() {
        float[] mask = BatchArrays.perStep(TOKENS.mask(), TOKENS, BatchArrays.Layout.STEPS_ROWS_WIDTH);
        assertArrayEquals(new float[]{1, 1, 1, 0, 0, 0}, mask, "step by step: t0 of rows 0 and 1, then t1 ...");
        assertArrayEquals(new int[]{1, 2, 2, 1, 3, 0}, BatchArrays.perStep(TOKENS.targets(), TOKENS, BatchArrays.Layout.STEPS_ROWS_WIDTH));
        // one row, two steps, two keys: [[a, b], [c, d]] as [rows, width, steps] is a c b d
        FrameBatch f = new FrameBatch(1, 2, 2, new float[]{1, 2, 3, 4}, new float[]{5, 6, 7, 8}, Batch.fullMask(1, 2), false);
        float[] x = new float[4], y = new float[4];
        BatchArrays.inputs(f, 2, BatchArrays.Layout.ROWS_WIDTH_STEPS, x);
        BatchArrays.targets(f, 2, BatchArrays.Layout.ROWS_STEPS_WIDTH, y);
        assertArrayEquals(new float[]{1, 3, 2, 4}, x);
        assertArrayEquals(new float[]{5, 6, 7, 8}, y);
        float[] step = new float[6];
        BatchArrays.inputStep(TOKENS, 3, 4, step, 2);
        BatchArrays.targetStep(f, 1, 2, step, 0);
        assertArrayEquals(new float[]{7, 8, 0, 0, 0, 1}, step, "step 3 reads token 3 at offset 2; frame step 1's target at 0");
    }
}
