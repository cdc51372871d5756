package org.seqlab.rnn;

import org.junit.jupiter.api.Test;
import org.seqlab.core.Batch;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.optim.FusedKernels;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-rolled LSTM takes the same steps through the fused kernels as through ND4J's
 * element-wise ops: two stacked layers with dropout, a ragged batch, state carried between
 * batches, in double precision.
 */
class FusedKernelPathTest {
    @Test
    void theKernelsTrainAsNd4jsElementWiseOpsDo() {
        assertTrue(FusedKernels.enabled(), "the test JVM runs the kernels");
        double[] fused = train();
        boolean was = FusedKernels.use(false);
        double[] nd4j;
        try {
            nd4j = train();
        } finally {
            FusedKernels.use(was);
        }
        for (int i = 0; i < fused.length; i++)
            assertEquals(nd4j[i], fused[i], 1e-12 * Math.abs(nd4j[i]), "loss " + i + " of " + java.util.Arrays.toString(nd4j));
    }

    /** Six training losses and an evaluation loss of a fresh model. */
    private static double[] train() {
        HandRolledConfig cfg = new HandRolledConfig("k", HandRolledConfig.Cell.LSTM, 24, 2, 0.2, 1.0, HandRolledConfig.Precision.DOUBLE, null);
        try (HandRolledModel m = new HandRolledModel(cfg, ModelShape.tokens(9),
                new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.ADAM), new ClipSpec(ClipSpec.Mode.NORM, 5.0)), 3)) {
            SplittableRandom r = new SplittableRandom(5);
            double[] losses = new double[7];
            for (int step = 0; step < 6; step++) losses[step] = m.trainStep(batch(r, step % 2 == 1), 1e-2).meanLoss();
            losses[6] = m.evaluate(batch(r, false)).meanLoss();
            return losses;
        }
    }

    private static TokenBatch batch(SplittableRandom r, boolean carry) {
        int rows = 4, len = 7, v = 9;
        int[] in = new int[rows * len], out = new int[rows * len];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextInt(v); out[i] = r.nextInt(v); }
        float[] mask = Batch.fullMask(rows, len);
        mask[len - 1] = mask[len - 2] = 0;
        return new TokenBatch(rows, len, in, out, mask, carry);
    }
}
