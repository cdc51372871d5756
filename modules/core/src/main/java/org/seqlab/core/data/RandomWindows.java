package org.seqlab.core.data;

import org.seqlab.core.TokenBatch;

import java.util.SplittableRandom;

/**
 * Training batches: {@code rows} windows of {@code length} tokens at random offsets of a token
 * stream, each target the next token. One epoch is as many batches as cover the stream once.
 */
public final class RandomWindows implements BatchSource {
    private final int[] stream;
    private final int rows;
    private final int length;
    private final SplittableRandom random;

    public RandomWindows(int[] stream, int rows, int length, SplittableRandom random) {
        if (stream.length < length + 1)
            throw new IllegalArgumentException("sequence length " + length + " needs at least " + (length + 1)
                    + " tokens, the stream has " + stream.length);
        this.stream = stream;
        this.rows = rows;
        this.length = length;
        this.random = random;
    }

    /** Batches per epoch: enough windows to see every token about once. */
    @Override
    public int batchesPerEpoch() {
        return (int) Math.max(1, Math.ceil((stream.length - 1) / (double) (rows * length)));
    }

    @Override
    public TokenBatch next() {
        int[] in = new int[rows * length];
        int[] out = new int[rows * length];
        int maxStart = stream.length - length - 1;
        for (int r = 0; r < rows; r++) {
            int start = maxStart == 0 ? 0 : random.nextInt(maxStart + 1);
            System.arraycopy(stream, start, in, r * length, length);
            System.arraycopy(stream, start + 1, out, r * length, length);
        }
        return new TokenBatch(rows, length, in, out);
    }
}
