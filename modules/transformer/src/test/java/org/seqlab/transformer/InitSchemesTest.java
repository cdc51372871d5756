package org.seqlab.transformer;

import org.junit.jupiter.api.Test;
import org.seqlab.core.InitScheme;
import org.seqlab.core.ModelShape;
import org.seqlab.core.TrainingOptions;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transformer draws each training.init scheme as InitScheme documents it, per tensor type. */
class InitSchemesTest {
    private static final int V = 20, D = 32;

    private static double[] w(InitScheme scheme, String name) {
        try (TransformerModel m = new TransformerModel(TransformerConfig.of("i", 1, 2, D, 16), ModelShape.tokens(V),
                TrainingOptions.DEFAULT.withInit(scheme), 3)) {
            return m.namedWeights().get(name).values();
        }
    }

    private static double std(double[] a) {
        double m = Arrays.stream(a).average().orElseThrow();
        return Math.sqrt(Arrays.stream(a).map(x -> (x - m) * (x - m)).sum() / a.length);
    }

    private static double maxAbs(double[] a) {
        return Arrays.stream(a).map(Math::abs).max().orElseThrow();
    }

    @Test
    void eachSchemeDrawsItsOwnValuesPerTensorType() {
        double k = 1 / Math.sqrt(D);
        assertEquals(1.0, std(w(InitScheme.PYTORCH, "wte")), 0.1, "pytorch: embeddings N(0, 1)");
        assertTrue(maxAbs(w(InitScheme.PYTORCH, "h0.attn.w")) <= k && std(w(InitScheme.PYTORCH, "h0.attn.b")) > 0.3 * k, "pytorch: linears U(±1/√fan_in)");
        assertTrue(maxAbs(w(InitScheme.PYTORCH, "head.w")) <= k && std(w(InitScheme.PYTORCH, "head.w")) > 0.4 * k, "pytorch: the head as nn.Linear");
        assertEquals(InitScheme.SMALL_OUTPUT_STD, std(w(InitScheme.SMALL_OUTPUT, "head.w")), 0.15 * InitScheme.SMALL_OUTPUT_STD, "small_output: a narrow head");
        assertTrue(Arrays.equals(w(InitScheme.SMALL_OUTPUT, "h0.mlp.w1"), w(InitScheme.PYTORCH, "h0.mlp.w1")), "small_output: the body is pytorch's");
        assertEquals(Math.sqrt(2.0 / (D + 3 * D)), std(w(InitScheme.XAVIER, "h0.attn.w")), 0.05 * Math.sqrt(2.0 / (D + 3 * D)), "xavier: Glorot normal");
        assertEquals(0.0, maxAbs(w(InitScheme.XAVIER, "h0.attn.b")), "xavier: biases 0");
        assertEquals(1.0, Arrays.stream(w(InitScheme.XAVIER, "h0.ln1.g")).min().orElseThrow(), 0.0, "LayerNorm gain 1 in every scheme");
    }
}
