package org.seqlab.core.data;

import org.seqlab.core.TokenBatch;

/**
 * Training batches for truncated BPTT (as in char-rnn): the stream is cut into {@code rows}
 * contiguous lanes which are walked window by window; every window but an epoch's first
 * {@link TokenBatch#continues() continues} the previous one, so stateful models carry their hidden
 * state across windows while gradients stop at window boundaries.
 */
public final class SequentialWindows implements BatchSource {
    private final int[] stream;
    private final int rows;
    private final int length;
    private final int lane;
    private int window;

    public SequentialWindows(int[] stream, int rows, int length) {
        this.stream = stream;
        this.rows = rows;
        this.length = length;
        this.lane = (stream.length - 1) / rows;
        if (lane < length)
            throw new IllegalArgumentException("sequential batching cuts " + (stream.length - 1) + " predictions into "
                    + rows + " lanes of " + lane + " steps, shorter than one window of " + length);
    }

    @Override
    public int batchesPerEpoch() {
        return lane / length;
    }

    @Override
    public TokenBatch next() {
        if (window == batchesPerEpoch()) window = 0;
        int[] in = new int[rows * length], out = new int[rows * length];
        for (int r = 0; r < rows; r++) {
            int start = r * lane + window * length;
            System.arraycopy(stream, start, in, r * length, length);
            System.arraycopy(stream, start + 1, out, r * length, length);
        }
        boolean continues = window > 0;
        window++;
        return new TokenBatch(rows, length, in, out, org.seqlab.core.Batch.fullMask(rows, length), continues);
    }
}
