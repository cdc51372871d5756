package org.seqlab.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkovNamesTest {
    @Test
    void rowsAreDistributions() {
        MarkovNames m = new MarkovNames(2, 5);
        for (String s : List.of("\n\n", "\nq", "ab", "zz")) {
            double sum = 0;
            for (double p : m.row(s)) sum += p;
            assertEquals(1.0, sum, 1e-12, s);
        }
        assertEquals(0.0, m.row("\n\n")[26], "names are never empty");
    }

    @Test
    void sameSeedSameNamesAndChain() {
        assertEquals(new MarkovNames(2, 3).sample(50, 9), new MarkovNames(2, 3).sample(50, 9));
        assertTrue(!new MarkovNames(2, 3).sample(50, 9).equals(new MarkovNames(2, 4).sample(50, 9)));
    }

    @Test
    void entropyRateMatchesTheEmpiricalLossOfTheTrueChain() {
        for (int order = 1; order <= 3; order++) {
            MarkovNames m = new MarkovNames(order, 1);
            double rate = m.entropyRate();
            double empirical = m.trueLoss(m.sample(40_000, 2));
            // the law of large numbers: the true model's average surprise converges to the entropy rate
            assertEquals(rate, empirical, 0.01, "order " + order + ": entropy rate " + rate + " vs empirical " + empirical);
            assertTrue(rate > 0.5 && rate < Math.log(27), "a sparse chain is far below uniform: " + rate);
        }
    }
}
