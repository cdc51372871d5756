package org.seqlab.core;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each scheme draws what InitScheme documents for each tensor type. */
class InitialWeightsTest {
    private static final int IN = 60, H = 80, V = 50;

    private static double std(double[] a) {
        double m = Arrays.stream(a).average().orElseThrow();
        return Math.sqrt(Arrays.stream(a).map(x -> (x - m) * (x - m)).sum() / a.length);
    }

    private static double maxAbs(double[] a) {
        return Arrays.stream(a).map(Math::abs).max().orElseThrow();
    }

    private static double[] block(double[] b, int gate) {
        return Arrays.copyOfRange(b, gate * H, (gate + 1) * H);
    }

    @Test
    void pytorchIsTorchsDefaultForEachLayerType() {
        InitialWeights w = new InitialWeights(InitScheme.PYTORCH, 1);
        InitialWeights.Recurrent r = w.recurrent(IN, H, 4, 1, null);
        double k = 1 / Math.sqrt(H);
        for (double[] t : new double[][]{r.wx(), r.wh(), r.bx(), r.bh()}) {
            assertTrue(maxAbs(t) <= k, "recurrent tensors within ±1/√hidden");
            assertEquals(k / Math.sqrt(3), std(t), 0.15 * k, "uniform on ±1/√hidden");
        }
        assertEquals(IN * 4 * H, r.wx().length);
        assertEquals(H * 4 * H, r.wh().length);
        assertEquals(r.bx()[H + 3] + r.bh()[H + 3], r.bias()[H + 3], 0.0, "one bias is the sum of torch's two");
        assertTrue(maxAbs(block(r.bias(), 1)) <= 2 * k && std(block(r.bias(), 1)) > 0.1 * k, "forget gate drawn like every bias");
        InitialWeights.Linear out = w.output(H, V);
        assertTrue(maxAbs(out.w()) <= k && maxAbs(out.b()) <= k && std(out.b()) > 0.3 * k, "output layer as nn.Linear: U(±1/√fan_in)");
        assertEquals(1.0, std(w.embedding(V, 30)), 0.05, "embeddings N(0, 1)");
    }

    @Test
    void xavierIsGlorotNormalWithZeroBiasesAndForgetBiasOne() {
        InitialWeights w = new InitialWeights(InitScheme.XAVIER, 2);
        InitialWeights.Recurrent r = w.recurrent(IN, H, 4, 1, null);
        assertEquals(Math.sqrt(2.0 / (IN + H)), std(r.wx()), 0.02 * Math.sqrt(2.0 / (IN + H)), "input weights: fan_out is one gate");
        assertEquals(Math.sqrt(1.0 / H), std(r.wh()), 0.02 * Math.sqrt(1.0 / H));
        for (int g : new int[]{0, 2, 3}) assertEquals(0.0, maxAbs(block(r.bias(), g)), "biases 0");
        for (double b : block(r.bias(), 1)) assertEquals(1.0, b, "forget-gate bias 1");
        InitialWeights.Recurrent gru = w.recurrent(IN, H, 3, -1, null);
        assertEquals(0.0, maxAbs(gru.bx()) + maxAbs(gru.bh()), "a GRU has no forget gate: all biases 0");
        InitialWeights.Linear out = w.output(H, V);
        assertEquals(Math.sqrt(2.0 / (H + V)), std(out.w()), 0.05 * Math.sqrt(2.0 / (H + V)));
        assertEquals(0.0, maxAbs(out.b()));
        assertEquals(Math.sqrt(2.0 / (V + 30)), std(w.embedding(V, 30)), 0.05 * Math.sqrt(2.0 / (V + 30)));
    }

    @Test
    void smallOutputIsPytorchWithANarrowOutputLayer() {
        InitialWeights small = new InitialWeights(InitScheme.SMALL_OUTPUT, 3), torch = new InitialWeights(InitScheme.PYTORCH, 3);
        InitialWeights.Recurrent a = small.recurrent(IN, H, 3, -1, null), b = torch.recurrent(IN, H, 3, -1, null);
        assertArrayEquals(b.wx(), a.wx(), 0.0, "the body is pytorch's, draw for draw");
        assertArrayEquals(b.bh(), a.bh(), 0.0);
        InitialWeights.Linear out = small.output(H, V);
        assertEquals(InitScheme.SMALL_OUTPUT_STD, std(out.w()), 0.05 * InitScheme.SMALL_OUTPUT_STD);
        assertEquals(0.0, maxAbs(out.b()));
        assertEquals(InitScheme.SMALL_OUTPUT, InitScheme.DEFAULT);
    }

    @Test
    void aGivenForgetBiasIsWhereTheForgetGateStarts() {
        for (InitScheme s : InitScheme.values()) {
            double[] b = new InitialWeights(s, 4).recurrent(IN, H, 4, 1, 2.0).bias();
            for (double x : block(b, 1)) assertEquals(2.0, x, 0.0, s + ": forget_bias sets the forget gate's bias");
        }
    }

    @Test
    void theSameSeedDrawsTheSameNumbers() {
        InitialWeights a = new InitialWeights(InitScheme.PYTORCH, 9), b = new InitialWeights(InitScheme.PYTORCH, 9);
        assertArrayEquals(a.recurrent(5, 7, 4, 1, null).wh(), b.recurrent(5, 7, 4, 1, null).wh(), 0.0);
        assertArrayEquals(a.output(7, 5).w(), b.output(7, 5).w(), 0.0);
        double[] other = new InitialWeights(InitScheme.PYTORCH, 10).recurrent(5, 7, 4, 1, null).wh();
        assertTrue(!Arrays.equals(other, new InitialWeights(InitScheme.PYTORCH, 9).recurrent(5, 7, 4, 1, null).wh()));
    }
}
