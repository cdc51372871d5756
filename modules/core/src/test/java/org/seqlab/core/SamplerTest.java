package org.seqlab.core;

import org.junit.jupiter.api.Test;
import org.seqlab.core.sample.Sampler;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    private static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};

    @Test
    void temperatureOneIsTheSoftmax() {
        assertArrayEquals(new double[]{0.5, 0.3, 0.15, 0.05}, Sampler.ofTemperature(1).distribution(LOGITS), 1e-6);
    }

    @Test
    void lowTemperatureSharpensHighFlattens() {
        double[] cold = Sampler.ofTemperature(0.5).distribution(LOGITS);
        double[] hot = Sampler.ofTemperature(2).distribution(LOGITS);
        assertEquals(0.25 / (0.25 + 0.09 + 0.0225 + 0.0025), cold[0], 1e-6, "p^(1/T) renormalised");
        assertTrue(hot[3] > 0.05 && hot[0] < 0.5);
    }

    @Test
    void topKAndTopPKeepTheHeadAndRenormalise() {
        assertArrayEquals(new double[]{0.625, 0.375, 0, 0}, new Sampler(1, 2, 1).distribution(LOGITS), 1e-6);
        // top-p 0.8: 0.5 + 0.3 reaches 0.8, the tail is cut
        assertArrayEquals(new double[]{0.625, 0.375, 0, 0}, new Sampler(1, 0, 0.8).distribution(LOGITS), 1e-6);
        assertArrayEquals(new double[]{0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0}, new Sampler(1, 0, 0.9).distribution(LOGITS), 1e-6);
    }

    @Test
    void samplingFollowsTheDistribution() {
        Sampler s = Sampler.ofTemperature(1);
        SplittableRandom r = new SplittableRandom(1);
        int[] counts = new int[4];
        for (int i = 0; i < 20000; i++) counts[s.sample(LOGITS, r)]++;
        assertEquals(0.5, counts[0] / 20000.0, 0.02);
        assertEquals(0.05, counts[3] / 20000.0, 0.01);
        int[] cut = new int[4];
        for (int i = 0; i < 2000; i++) cut[new Sampler(1, 2, 1).sample(LOGITS, r)]++;
        assertEquals(0, cut[2] + cut[3], "top-k never samples outside the head");
    }

    @Test
    void framesAreBernoulliPerUnit() {
        SplittableRandom r = new SplittableRandom(2);
        float[] logits = {40, -40, 0};
        int on2 = 0;
        for (int i = 0; i < 4000; i++) {
            float[] f = Sampler.ofTemperature(1).sampleFrame(logits, r);
            assertEquals(1f, f[0]);
            assertEquals(0f, f[1]);
            on2 += (int) f[2];
        }
        assertEquals(0.5, on2 / 4000.0, 0.03);
    }

    @Test
    void badSettingsNameTheField() {
        assertEquals("temperature: must be > 0, got 0", assertThrows(FieldException.class, () -> new Sampler(0, 0, 1)).getMessage());
        assertTrue(assertThrows(FieldException.class, () -> new Sampler(1, 0, 1.5)).getMessage().startsWith("top_p"));
    }
}
