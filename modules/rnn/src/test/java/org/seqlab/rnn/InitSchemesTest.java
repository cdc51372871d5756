package org.seqlab.rnn;

import org.junit.jupiter.api.Test;
import org.seqlab.core.InitScheme;
import org.seqlab.core.ModelShape;
import org.seqlab.core.TrainingOptions;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-rolled family puts each scheme's draws where InitScheme says, for every cell. */
class InitSchemesTest {
    private static final int V = 30, H = 40;

    private static double[] values(HandRolledModel m, String name) {
        return m.namedWeights().get(name).values();
    }

    private static HandRolledModel model(HandRolledConfig.Cell cell, InitScheme scheme, Double forgetBias) {
        return new HandRolledModel(new HandRolledConfig("i", cell, H, 2, null, forgetBias, HandRolledConfig.Precision.DOUBLE, null),
                ModelShape.tokens(V), TrainingOptions.DEFAULT.withInit(scheme), 5);
    }

    private static double std(double[] a) {
        double m = Arrays.stream(a).average().orElseThrow();
        return Math.sqrt(Arrays.stream(a).map(x -> (x - m) * (x - m)).sum() / a.length);
    }

    private static double maxAbs(double[] a) {
        return Arrays.stream(a).map(Math::abs).max().orElseThrow();
    }

    @Test
    void pytorchDrawsEveryRecurrentTensorUniformlyAndTheOutputAsNnLinear() {
        for (HandRolledConfig.Cell cell : HandRolledConfig.Cell.values()) {
            HandRolledModel m = model(cell, InitScheme.PYTORCH, null);
            double k = 1 / Math.sqrt(H);
            for (String name : m.namedWeights().keySet()) {
                double[] w = values(m, name);
                boolean oneBias = name.endsWith(".b") || (cell == HandRolledConfig.Cell.RNN && name.endsWith(".bh"));
                assertTrue(maxAbs(w) <= (oneBias ? 2 * k : k) + 1e-12, cell + " " + name + " within torch's bound");
                assertTrue(std(w) > 0.3 * k, cell + " " + name + " is drawn, not zero");
            }
        }
    }

    @Test
    void xavierHasZeroBiasesAndAForgetBiasOfOne() {
        HandRolledModel m = model(HandRolledConfig.Cell.LSTM, InitScheme.XAVIER, null);
        double[] b = values(m, "l1.b");
        for (int j = 0; j < 4 * H; j++) assertEquals(j >= H && j < 2 * H ? 1.0 : 0.0, b[j], 0.0, "gate column " + j);
        assertEquals(Math.sqrt(2.0 / (V + H)), std(values(m, "l0.Wx")), 0.05 * Math.sqrt(2.0 / (V + H)));
        assertEquals(Math.sqrt(2.0 / (H + V)), std(values(m, "Why")), 0.05 * Math.sqrt(2.0 / (H + V)));
        assertEquals(0.0, maxAbs(values(m, "by")));
    }

    @Test
    void smallOutputNarrowsOnlyTheOutputLayerAndForgetBiasOverridesAnyScheme() {
        HandRolledModel small = model(HandRolledConfig.Cell.GRU, InitScheme.SMALL_OUTPUT, null),
                torch = model(HandRolledConfig.Cell.GRU, InitScheme.PYTORCH, null);
        assertTrue(Arrays.equals(values(small, "l1.Wh"), values(torch, "l1.Wh")), "the body is pytorch's");
        assertEquals(InitScheme.SMALL_OUTPUT_STD, std(values(small, "Why")), 0.1 * InitScheme.SMALL_OUTPUT_STD);
        assertEquals(0.0, maxAbs(values(small, "by")));
        double[] b = values(model(HandRolledConfig.Cell.LSTM, InitScheme.PYTORCH, 2.5), "l0.b");
        for (int j = H; j < 2 * H; j++) assertEquals(2.5, b[j], 0.0);
    }
}
