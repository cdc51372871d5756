package org.seqlab.core;

import org.junit.jupiter.api.Test;
import org.seqlab.core.data.ValueWindows;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sliding windows, naive forecasts and forecast errors on series small enough to check by hand. */
class ForecastingTest {
    /** x[t] = 100 t + k: every value says where it came from. */
    private static float[][] labelled(int n, int w) {
        float[][] s = new float[n][w];
        for (int t = 0; t < n; t++) for (int k = 0; k < w; k++) s[t][k] = 100 * t + k;
        return s;
    }

    @Test
    void trainingWindowsTargetTheValueHorizonStepsAheadInsideTheTrainingSpan() {
        float[][] s = labelled(50, 2);
        ValueWindows w = new ValueWindows(s, 30, 8, 5, 3, new SplittableRandom(1));
        assertEquals(1, w.batchesPerEpoch(), "27 training targets, 40 per batch");
        for (int b = 0; b < 20; b++) {
            ValueBatch batch = w.next();
            assertEquals(8 * 5, batch.steps(), "every training step is scored");
            for (int i = 0; i < 8 * 5; i++)
                for (int k = 0; k < 2; k++) {
                    float in = batch.inputs()[i * 2 + k], out = batch.targets()[i * 2 + k];
                    assertEquals(in + 300, out, "target = input 3 steps later");
                    assertTrue(out < 100 * 30, "no target from past the training span: " + out);
                }
        }
    }

    @Test
    void thePassScoresEachTargetOnceFromTheWindowBeforeItsOrigin() {
        float[][] s = labelled(40, 1);
        List<ValueBatch> pass = ValueWindows.pass(s, 30, 40, 6, 2, 4);
        assertEquals(List.of(4, 4, 2), pass.stream().map(ValueBatch::rows).toList());
        Set<Float> targets = new HashSet<>();
        for (ValueBatch b : pass)
            for (int r = 0; r < b.rows(); r++) {
                int last = r * 6 + 5;
                assertEquals(1, b.mask()[last]);
                for (int t = 0; t < 5; t++) assertEquals(0, b.mask()[r * 6 + t], "only the last step counts");
                float target = b.targets()[last];
                assertEquals(target - 200, b.inputs()[last], "the last input is the forecast origin j - h");
                assertEquals(target - 200 - 500, b.inputs()[r * 6], "the window holds the 6 values up to the origin");
                targets.add(target);
            }
        assertEquals(10, targets.size());
        assertEquals(3000f, targets.stream().min(Float::compare).orElseThrow());
    }

    @Test
    void naiveForecastsUseOnlyWhatIsKnownAtTheOrigin() {
        double[] y = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertArrayEquals(new double[]{8, 9}, NaiveForecasts.lastValue(y, 8, 10, 1));
        assertArrayEquals(new double[]{6, 7}, NaiveForecasts.lastValue(y, 8, 10, 3));
        // season 4: one season back for h <= 4, two seasons back for h = 5
        assertArrayEquals(new double[]{5, 6}, NaiveForecasts.seasonal(y, 8, 10, 1, 4));
        assertArrayEquals(new double[]{5, 6}, NaiveForecasts.seasonal(y, 8, 10, 4, 4));
        assertArrayEquals(new double[]{1, 2}, NaiveForecasts.seasonal(y, 8, 10, 5, 4));
        assertArrayEquals(new double[]{(6 + 7 + 8) / 3.0, (7 + 8 + 9) / 3.0}, NaiveForecasts.movingAverage(y, 8, 10, 1, 3), 1e-12);
        assertArrayEquals(new double[]{(4 + 5 + 6) / 3.0, (5 + 6 + 7) / 3.0}, NaiveForecasts.movingAverage(y, 8, 10, 3, 3), 1e-12);
        assertEquals(8, NaiveForecasts.history(5, 4, 3));
    }

    @Test
    void errorsAverageOverTargetsAndMapeSkipsZeroTargets() {
        ForecastErrors e = ForecastErrors.of(new double[][]{{2}, {0}, {4}, {-5}}, new double[][]{{3}, {1}, {2}, {-5}});
        assertEquals((1 + 1 + 4 + 0) / 4.0, e.mse(), 1e-12);
        assertEquals((1 + 1 + 2 + 0) / 4.0, e.mae(), 1e-12);
        assertEquals(100 * (0.5 + 0.5 + 0) / 3, e.mape(), 1e-12, "the zero target is left out");
        assertEquals(1, e.mapeSkipped());
        assertEquals(4, e.count());
        assertTrue(Double.isNaN(ForecastErrors.of(new double[][]{{0}}, new double[][]{{1}}).mape()));
    }
}
