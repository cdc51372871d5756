package org.seqlab.data;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generators' exact optimum losses against what long samples show. */
class SyntheticTest {
    @Test
    void markovChainRowsAreDistributionsAndTheStationaryDistributionIsFixed() {
        MarkovChain m = new MarkovChain(2, 4, 11);
        for (int s = 0; s < m.states(); s++) {
            double sum = 0;
            for (double p : m.row(s)) { sum += p; assertTrue(p > 0); }
            assertEquals(1.0, sum, 1e-12);
        }
        double[] pi = m.stationary();
        double[] next = new double[pi.length];
        for (int s = 0; s < pi.length; s++)
            for (int c = 0; c < 4; c++) next[(s * 4 + c) % pi.length] += pi[s] * m.row(s)[c];
        for (int s = 0; s < pi.length; s++) assertEquals(pi[s], next[s], 1e-14, "pi P = pi");
        assertEquals(m.sample(500, 3), new MarkovChain(2, 4, 11).sample(500, 3), "seeded");
    }

    @Test
    void markovChainEntropyRateMatchesLongSamplesForOrdersOneToThree() {
        for (int order = 1; order <= 3; order++) {
            MarkovChain m = new MarkovChain(order, 5, 100 + order);
            double rate = m.entropyRate();
            String text = m.sample(400_000, 7);
            // the true model's average surprise converges to the entropy rate (law of large numbers) ...
            assertEquals(rate, m.trueLoss(text, 0, text.length()), 0.01, "order " + order);
            // ... and so does the plug-in estimate H(next | last k) from counts, which knows nothing of the chain
            Map<String, Integer> ctx = new HashMap<>(), joint = new HashMap<>();
            for (int i = order; i < text.length(); i++) {
                ctx.merge(text.substring(i - order, i), 1, Integer::sum);
                joint.merge(text.substring(i - order, i + 1), 1, Integer::sum);
            }
            double h = 0;
            int n = text.length() - order;
            for (Map.Entry<String, Integer> e : joint.entrySet())
                h -= e.getValue() / (double) n * Math.log(e.getValue() / (double) ctx.get(e.getKey().substring(0, order)));
            assertEquals(rate, h, 0.02, "order " + order + ": plug-in estimate " + h + " vs exact " + rate);
            assertTrue(rate < Math.log(5) - 0.1, "far below uniform: " + rate);
        }
    }

    @Test
    void copyTaskOptimumMatchesAHandCount() {
        CopyTask t = new CopyTask(4, 3);
        // per line: 3 random symbols at ln 4 each; '|', 3 copied symbols and the end of line at 0: 8 tokens
        assertEquals(3 * Math.log(4) / 8, t.optimumLoss(), 1e-15);
        assertEquals(3 * Math.log(4) / 8, t.trueLoss(List.of("abc|abc", "dda|dda")), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> t.trueLoss(List.of("abc|abd")));
        List<String> lines = t.sample(20_000, 5);
        assertEquals(lines, new CopyTask(4, 3).sample(20_000, 5), "seeded");
        Map<Character, Integer> counts = new HashMap<>();
        for (String l : lines) {
            assertEquals(l.substring(0, 3), l.substring(4), "the second half copies the first");
            for (char c : l.substring(0, 3).toCharArray()) counts.merge(c, 1, Integer::sum);
        }
        double h = 0;
        for (int c : counts.values()) h -= c / 60_000.0 * Math.log(c / 60_000.0);
        assertEquals(Math.log(4), h, 0.001, "the random half is uniform: it costs ln(alphabet) per symbol");
    }
}
