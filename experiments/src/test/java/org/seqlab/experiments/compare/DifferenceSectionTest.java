package org.seqlab.experiments.compare;

import org.junit.jupiter.api.Test;
import org.seqlab.core.Results;
import org.seqlab.core.TestLosses;
import org.seqlab.core.data.SplitMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The section with several seeds: which question each interval answers, the groups, and files of another split left out. */
class DifferenceSectionTest {
    private static TestLosses run(String model, Long seed, double level, long noiseSeed, long splitSeed) {
        SplittableRandom shared = new SplittableRandom(1), own = new SplittableRandom(noiseSeed);
        int n = 120;
        double[] loss = new double[n];
        long[] count = new long[n];
        double seedShift = seed == null ? 0 : 0.02 * own.nextGaussian();
        for (int i = 0; i < n; i++) {
            count[i] = 4 + i % 5;
            loss[i] = count[i] * (1 + shared.nextDouble() + level + seedShift + 0.05 * own.nextGaussian());
        }
        return TestLosses.of(model, seed, seed == null, Results.Unit.TOKEN, "sha", SplitMethod.examples(List.of(0.8, 0.1, 0.1), splitSeed),
                "sequence", loss, count);
    }

    @Test
    void severalSeedsCompareConfigurationsAndSayWhich() {
        List<TestLosses> files = new ArrayList<>();
        for (long s = 1; s <= 5; s++) {
            files.add(run("good", s, 0.0, 10 + s, 0));
            files.add(run("twin", s, 0.0, 20 + s, 0));
            files.add(run("bad", s, 0.5, 30 + s, 0));
        }
        files.add(run("unigram", null, 1.5, 40, 0));
        files.add(run("stale", 1L, 0.0, 50, 9));                    // another split: never paired
        PairedComparison c = PairedComparison.of(files);
        assertEquals(4, c.entries().size());
        assertEquals(List.of("stale (seed 1): scored another test split, not paired"), c.left());
        for (PairedComparison.Pair p : c.pairs()) {
            boolean references = c.entries().get(p.a()).reference() || c.entries().get(p.b()).reference();
            assertEquals(PairedStats.Level.SEEDS_AND_EXAMPLES, p.difference().level());
            assertTrue(p.models() != null && p.models().level() == PairedStats.Level.EXAMPLES);
            if (references) assertEquals(5, Math.max(p.difference().seedsA(), p.difference().seedsB()));
        }
        // good and twin are one configuration: one group; bad and the unigram stand alone
        assertEquals(3, c.groups().size(), c.groups().toString());
        assertEquals(2, c.groups().get(0).size());
        String md = new DifferenceSection(c, "nats/token", "test sequences", List.of()).markdown();
        assertTrue(md.contains("*are these two configurations different?*"), md);
        assertTrue(md.contains("as configurations") && md.contains("as trained models (seed-averaged, examples alone)"), md);
        assertTrue(md.contains("×5 seeds"), md);
        assertTrue(md.contains("stale (seed 1): scored another test split"), md);
    }

    @Test
    void oneRunEachAnswersTheTrainedModelsQuestion() {
        PairedComparison c = PairedComparison.of(List.of(run("a", 1L, 0, 1, 0), run("b", 1L, 0.3, 2, 0)));
        PairedComparison.Pair p = c.pairs().get(0);
        assertEquals(PairedStats.Level.EXAMPLES, p.difference().level());
        assertNull(p.models());
        assertTrue(p.significant());
        String md = new DifferenceSection(c, "nats/token", "test sequences", List.of()).markdown();
        assertTrue(md.contains("*are these two trained models different on data like this test set?*"), md);
        assertTrue(md.contains("a beats b by 0.3"), md);
    }
}
