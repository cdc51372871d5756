package org.seqlab.data.music;

import java.util.List;

/**
 * A piano-roll dataset already split: each tune is [frames][88] multi-hot.
 *
 * @param sha256 hash of the source file, for provenance
 */
public record PianoRollSet(String name, String source, String sha256, List<float[][]> train, List<float[][]> valid,
                           List<float[][]> test) {

    /** Predicted frames of a split: every frame but each tune's first. */
    public static long predictions(List<float[][]> tunes) {
        long n = 0;
        for (float[][] t : tunes) n += Math.max(0, t.length - 1);
        return n;
    }
}
