package org.seqlab.data.series;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeasonalSeriesTest {
    private static SeriesConfig cfg(int length, double noise, long seed) {
        return new SeriesConfig(null, null, null, null, null, null, null, null, null, null, length, noise, List.of(12, 40), seed);
    }

    @Test
    void theNoiseAroundTheKnownSignalHasTheStatedVariance() {
        TimeSeries s = SeasonalSeries.generate(cfg(20000, 0.5, 3));
        assertEquals(0.25, s.noiseVariance(), 1e-12);
        double sum = 0, sq = 0;
        for (int t = 0; t < s.length(); t++) {
            double e = s.values()[t][0] - SeasonalSeries.signal(t, 12, 40);
            sum += e;
            sq += e * e;
        }
        double mean = sum / s.length();
        assertEquals(0, mean, 0.02, "noise has mean 0");
        assertEquals(0.25, sq / s.length() - mean * mean, 0.01, "noise variance = noise^2");
        double min = java.util.Arrays.stream(s.values()).mapToDouble(v -> v[0]).min().orElseThrow();
        assertTrue(min > 3, "values stay far from 0 so MAPE is meaningful: min " + min);
    }

    @Test
    void theSameSeedGivesTheSameSeries() {
        TimeSeries a = SeasonalSeries.generate(cfg(300, 0.5, 1)), b = SeasonalSeries.generate(cfg(300, 0.5, 1));
        assertArrayEquals(a.values(), b.values());
        assertEquals(a.sha256(), b.sha256());
        assertNotEquals(a.sha256(), SeasonalSeries.generate(cfg(300, 0.5, 2)).sha256());
    }

    @Test
    void normalisationIsFittedOnTheTrainingSpanOnly() {
        double[][] v = {{1}, {3}, {100}, {-50}};
        Normalization z = Normalization.fit(Normalization.Kind.ZSCORE, v, 2);
        assertEquals(2, z.offset()[0], 1e-12);
        assertEquals(1, z.scale()[0], 1e-12);
        assertEquals(98, z.apply(100, 0), 1e-12);
        assertEquals(100, z.invert(z.apply(100, 0), 0), 1e-12);
        Normalization m = Normalization.fit(Normalization.Kind.MINMAX, v, 2);
        assertEquals(0, m.apply(1, 0), 1e-12);
        assertEquals(1, m.apply(3, 0), 1e-12);
    }
}
