package org.seqlab.experiments.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Results;
import org.seqlab.core.TestLosses;
import org.seqlab.core.data.SplitMethod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep report's insights on trials whose outcome is known: which parameter matters, and whether the best beats the runner-up. */
class SweepInsightsTest {
    @TempDir
    Path out;

    private static SweepConfig sweep() {
        Map<String, ParamSpec> params = new LinkedHashMap<>();
        params.put("training.lr", new ParamSpec(ParamSpec.Type.CONTINUOUS, 0.001, 0.1, true, null));
        params.put("models[0].cell", new ParamSpec(ParamSpec.Type.DISCRETE, null, null, null, List.of("rnn", "gru")));
        return new SweepConfig(SweepConfig.Generator.RANDOM, 12, 1, null, SweepConfig.Metric.VALID_LOSS, null, 1L, null, null, params, null, null);
    }

    /** Twelve trials whose metric follows the learning rate alone: lr gets nearly all the importance, the cell almost none. */
    private static List<TrialLog.Trial> trials() {
        List<TrialLog.Trial> t = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 12; i++) {
            double lr = 0.001 * Math.pow(100, i / 11.0);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("training.lr", lr);
            p.put("models[0].cell", i % 2 == 0 ? "rnn" : "gru");
            t.add(new TrialLog.Trial(i, p, "ok", 2.0 - Math.log10(lr) * 0.1 + 0.001 * r.nextGaussian(), Map.of(), 1.0, null, "trial-" + i));
        }
        return t;
    }

    private void losses(String trialDir, double shift, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 200;
        double[] loss = new double[n];
        long[] count = new long[n];
        SplittableRandom shared = new SplittableRandom(99);
        for (int i = 0; i < n; i++) {
            count[i] = 5;
            loss[i] = 5 * (1 + shared.nextDouble()) + 5 * shift + 0.2 * r.nextGaussian();
        }
        Path dir = out.resolve(trialDir).resolve(TestLosses.FOLDER);
        Files.createDirectories(dir);
        TestLosses.of("m", 1L, false, Results.Unit.TOKEN, "abc", SplitMethod.examples(List.of(0.8, 0.1, 0.1), 0), "sequence", loss, count)
                .write(dir.resolve(TestLosses.fileName("m", 1L)));
    }

    @Test
    void theParameterThatDrivesTheMetricGetsTheImportance() {
        List<TrialLog.Trial> t = trials();
        Map<String, Double> imp = new SweepInsights(sweep(), t, List.of("training.lr", "models[0].cell")).importance();
        assertTrue(imp.get("training.lr") > 0.8, imp.toString());
        assertTrue(imp.get("models[0].cell") < 0.1, imp.toString());
    }

    @Test
    void theBestAndRunnerUpArePairedOnTheirTestExamples() throws Exception {
        List<TrialLog.Trial> t = trials();
        SweepInsights s = new SweepInsights(sweep(), t, List.of("training.lr", "models[0].cell"));
        List<TrialLog.Trial> ranked = s.ranked();
        losses(ranked.get(0).out(), 0, 1);
        losses(ranked.get(1).out(), 0.2, 2);
        String md = s.markdown(out);
        assertTrue(md.contains("trial " + ranked.get(0).trial() + " beats trial " + ranked.get(1).trial() + " by 0.2"), md);
        losses(ranked.get(1).out(), 0, 3);
        assertTrue(s.markdown(out).contains("cannot be told apart"), "equal losses: " + s.markdown(out));
        Map<String, byte[]> images = s.images();
        assertEquals(List.of(SweepInsights.HISTORY, SweepInsights.PARALLEL), List.copyOf(images.keySet()));
        for (byte[] png : images.values()) assertTrue(png.length > 1000);
    }
}
