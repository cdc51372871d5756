package org.seqlab.core.data;

import org.seqlab.core.TokenBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation batches that predict every token of a stream exactly once: the stream is cut into
 * {@code rows} contiguous lanes, walked in chunks of {@code length} steps; each chunk continues the
 * previous one ({@link TokenBatch#continues()}), so stateful models keep their full context.
 * The last lane is padded with mask 0.
 */
public final class SequentialPass {
    private SequentialPass() {}

    public static List<TokenBatch> of(int[] stream, int rows, int length) {
        int predictions = stream.length - 1;
        if (predictions < 1) return List.of();
        rows = Math.min(rows, predictions);
        int lane = (predictions + rows - 1) / rows;
        List<TokenBatch> batches = new ArrayList<>();
        for (int offset = 0; offset < lane; offset += length) {
            int len = Math.min(length, lane - offset);
            int[] in = new int[rows * len];
            int[] out = new int[rows * len];
            float[] mask = new float[rows * len];
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < len; t++) {
                    int i = r * lane + offset + t;
                    if (i >= predictions) break;
                    in[r * len + t] = stream[i];
                    out[r * len + t] = stream[i + 1];
                    mask[r * len + t] = 1f;
                }
            }
            batches.add(new TokenBatch(rows, len, in, out, mask, offset > 0));
        }
        return batches;
    }
}
