package org.seqlab.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimum per example: the chain's loss of each name, which paired comparisons set every model against. */
class MarkovNamesPerExampleTest {
    @Test
    void theNamesLossesAddUpToTheTrueLossPerToken() {
        MarkovNames chain = new MarkovNames(2, 11);
        List<String> names = chain.sample(200, 12);
        double[] each = chain.trueLosses(names);
        assertEquals(names.size(), each.length);
        double sum = 0;
        long tokens = 0;
        for (int i = 0; i < each.length; i++) {
            assertTrue(each[i] > 0, "a name costs something: " + names.get(i));
            sum += each[i];
            tokens += names.get(i).length() + 1;          // its letters and its end
        }
        assertEquals(chain.trueLoss(names), sum / tokens, 1e-12);
    }
}
