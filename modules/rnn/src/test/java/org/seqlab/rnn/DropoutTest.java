package org.seqlab.rnn;

import org.junit.jupiter.api.Test;
import org.seqlab.core.ModelShape;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropoutTest {
    private static TokenBatch batch() {
        SplittableRandom r = new SplittableRandom(4);
        int[] in = new int[4 * 10], out = new int[4 * 10];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextInt(10); out[i] = r.nextInt(10); }
        return new TokenBatch(4, 10, in, out);
    }

    private static HandRolledModel model(double dropout) {
        return new HandRolledModel(new HandRolledConfig("d", HandRolledConfig.Cell.GRU, 16, 2, dropout, null, null, null),
                ModelShape.tokens(10), TrainingOptions.DEFAULT, 3);
    }

    @Test
    void dropoutActsInTrainingOnlyAndIsSeeded() {
        HandRolledModel a = model(0.5), b = model(0.5), none = model(0.0);
        TokenBatch x = batch();
        assertArrayEquals(a.logits(x), none.logits(x), "evaluation ignores dropout (inverted scaling)");
        double la = a.computeGradient(x).lossSum(), lb = b.computeGradient(x).lossSum();
        assertEquals(la, lb, "same seed, same masks");
        assertNotEquals(none.computeGradient(x).lossSum(), la, "training with dropout sees a different network");
        assertNotEquals(la, a.computeGradient(x).lossSum(), "a new mask every step");
    }

    @Test
    void dropoutStillLearns() {
        SequenceModel m = model(0.2);
        TokenBatch x = batch();
        double before = m.evaluate(x).meanLoss();
        for (int i = 0; i < 100; i++) m.trainStep(x, 1e-2);
        assertTrue(m.evaluate(x).meanLoss() < before * 0.7);
    }

    @Test
    void aFramePriorStartsEveryUnitAtItsProbability() {
        HandRolledModel m = new HandRolledModel(new HandRolledConfig("p", HandRolledConfig.Cell.LSTM, 8, 1, 0.0, null, null, 0.05),
                ModelShape.frames(10), TrainingOptions.DEFAULT, 1);
        float[] silent = new float[2 * 3 * 10];
        org.seqlab.core.FrameBatch b = new org.seqlab.core.FrameBatch(2, 3, 10, silent, silent, org.seqlab.core.Batch.fullMask(2, 3), false);
        assertEquals(-10 * Math.log(0.95), m.evaluate(b).meanLoss(), 0.05, "silence costs -K ln(1 - prior) at the start");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new HandRolledConfig(null, null, 8, 1, 0.0, null, null, 1.0))
                .getMessage().startsWith("frame_prior: must be in (0, 1)"));
    }

    @Test
    void badOptionsNameTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new HandRolledConfig(null, null, 8, 0, null, null, null, null)).getMessage().startsWith("layers: must be >= 1"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new HandRolledConfig(null, null, 8, 1, 1.0, null, null, null)).getMessage().startsWith("dropout: must be in [0, 1)"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new HandRolledConfig(null, HandRolledConfig.Cell.GRU, 8, 1, 0.0, 2.0, null, null)).getMessage().startsWith("forget_bias"));
    }
}
