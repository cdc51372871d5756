package org.seqlab.core.data;

import java.util.List;
import java.util.Map;

/**
 * How a dataset was split, for provenance: enough to make the same split again.
 *
 * @param method    examples (lines shuffled with the seed, cut at the fractions), contiguous (one
 *                  text cut in order at the fractions), files (whole files shuffled with the seed,
 *                  cut at the fractions) or split_files (files assigned by the experiment)
 * @param fractions train/valid/test fractions (null for split_files)
 * @param seed      the shuffle's seed (null when nothing is shuffled)
 * @param files     the files of each split, for the two file methods
 */
public record SplitMethod(String method, List<Double> fractions, Long seed, Map<String, List<String>> files) {
    public static SplitMethod examples(List<Double> fractions, long seed) {
        return new SplitMethod("examples", fractions, seed, null);
    }

    public static SplitMethod contiguous(List<Double> fractions) {
        return new SplitMethod("contiguous", fractions, null, null);
    }

    /** "examples, [0.8, 0.1, 0.1], seed 0" and the like, for reports. */
    public String describe() {
        return method + (fractions == null ? "" : ", " + fractions) + (seed == null ? "" : ", seed " + seed);
    }
}
