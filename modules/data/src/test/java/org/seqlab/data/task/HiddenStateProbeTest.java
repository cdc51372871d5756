package org.seqlab.data.task;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Which test tokens the hidden-state picture reads: an example long enough to read, from the marker where its state starts. */
class HiddenStateProbeTest {
    private static final int EOS = 0;

    @Test
    void theFirstExampleOfAReadableLengthWithItsMarkers() {
        int[] test = {5, EOS, 2, 3, EOS, 4, 5, 6, 7, 8, 9, EOS, 1, 1};
        assertArrayEquals(new int[]{EOS, 4, 5, 6, 7, 8, 9, EOS}, TextTask.probe(test, EOS, 6, 40),
                "one letter and two letters are too short; the third example with the marker before it and its own");
    }

    @Test
    void withoutOneTheLongestExampleCutToTheMaximum() {
        int[] test = {2, EOS, 3, 4, 5, 6, 7, 8, 9, 10, EOS, 2, EOS};
        assertArrayEquals(new int[]{EOS, 3, 4, 5}, TextTask.probe(test, EOS, 20, 4));
    }

    @Test
    void aStreamGivesItsFirstTokens() {
        assertArrayEquals(new int[]{7, 8, 9}, TextTask.probe(new int[]{7, 8, 9, 10, 11}, -1, 2, 3));
        assertArrayEquals(new int[]{7, 8}, TextTask.probe(new int[]{7, 8}, -1, 2, 3));
    }
}
