package org.seqlab.rnn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizerTest {
    private static TokenBatch batch() {
        SplittableRandom r = new SplittableRandom(9);
        int[] seq = new int[33];
        for (int i = 0; i < seq.length; i++) seq[i] = r.nextInt(6);
        return new TokenBatch(1, 32, java.util.Arrays.copyOf(seq, 32), java.util.Arrays.copyOfRange(seq, 1, 33));
    }

    @ParameterizedTest
    @EnumSource(OptimizerSpec.Type.class)
    void everyOptimiserLearns(OptimizerSpec.Type type) {
        double lr = switch (type) { case SGD -> 2.0; case MOMENTUM -> 0.5; case ADAGRAD -> 0.1; default -> 0.01; };
        HandRolledModel m = new HandRolledModel(HandRolledConfig.of("o", HandRolledConfig.Cell.GRU, 16), ModelShape.tokens(6),
                new TrainingOptions(OptimizerSpec.of(type), ClipSpec.DEFAULT), 2);
        TokenBatch b = batch();
        double before = m.evaluate(b).meanLoss();
        for (int i = 0; i < 60; i++) m.trainStep(b, lr);
        double after = m.evaluate(b).meanLoss();
        assertTrue(after < 0.7 * before, type + ": " + before + " -> " + after);
    }

    @Test
    void valueClippingBoundsEveryGradientEntry() {
        TrainingOptions sgd = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.SGD),
                new ClipSpec(ClipSpec.Mode.VALUE, 1e-4));
        HandRolledModel m = new HandRolledModel(HandRolledConfig.of("c", HandRolledConfig.Cell.RNN, 8), ModelShape.tokens(6), sgd, 3);
        INDArray before = m.parameters().flat.dup();
        m.trainStep(batch(), 1.0);
        double biggest = m.parameters().flat.sub(before).amaxNumber().doubleValue();
        assertEquals(1e-4, biggest, 1e-6, "an SGD step of lr 1 moves no weight further than the clip value");
    }
}
