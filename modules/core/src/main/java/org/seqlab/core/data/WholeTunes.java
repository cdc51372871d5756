package org.seqlab.core.data;

import org.seqlab.core.FrameBatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code batching: examples} for piano rolls: every tune is one row, trained from its first frame
 * to its last in one batch (full backpropagation through the tune, as the PyTorch peer and the
 * polyphonic-music papers train), and each epoch deals the tunes into new batches. Dealing them
 * freely pads every batch to its longest tune (on Nottingham, batch 8: about 45% of the computed
 * frames); instead each epoch shuffles the tunes, sorts them by length within pools of
 * {@value #POOL} batches, cuts each pool into batches and shuffles the batches, so neighbours in a
 * batch are random yet of similar length (about 10% padding, with the rounding; 200-frame chunks
 * of length-sorted groups pad 12.9%). A batch's length is rounded up to eight steps per octave
 * (at most 12.5%, 1.1% on Nottingham), so the models see few distinct shapes.
 */
public final class WholeTunes implements BatchSource {
    static final int POOL = 32;
    private final List<float[][]> tunes;
    private final int rows, transpose;
    private final SplittableRandom random;
    private List<List<float[][]>> epoch = List.of();
    private int position;

    /**
     * @param transpose each epoch, every tune transposed by a whole number of keys drawn from
     *                  [-transpose, transpose] (augmentation; 0: the tunes as they are)
     */
    public WholeTunes(List<float[][]> tunes, int rows, SplittableRandom random, int transpose) {
        if (tunes.isEmpty()) throw new IllegalArgumentException("no tunes");
        this.tunes = List.copyOf(tunes);
        this.rows = rows;
        this.random = random;
        this.transpose = transpose;
    }

    @Override
    public int batchesPerEpoch() {
        return (tunes.size() + rows - 1) / rows;        // pools hold whole batches, so only the last is short
    }

    @Override
    public FrameBatch next() {
        if (position >= epoch.size()) {
            epoch = deal();
            position = 0;
        }
        return batch(epoch.get(position++), rows);
    }

    private List<List<float[][]>> deal() {
        List<float[][]> order = new ArrayList<>(transpose == 0 ? tunes : FrameTunes.transposed(tunes, transpose, random));
        FrameTunes.shuffle(order, random);
        List<List<float[][]>> batches = new ArrayList<>();
        for (int p = 0; p < order.size(); p += POOL * rows) {
            List<float[][]> pool = new ArrayList<>(order.subList(p, Math.min(order.size(), p + POOL * rows)));
            pool.sort(Comparator.comparingInt((float[][] t) -> t.length).reversed());
            for (int b = 0; b < pool.size(); b += rows) batches.add(pool.subList(b, Math.min(pool.size(), b + rows)));
        }
        FrameTunes.shuffle(batches, random);
        return batches;
    }

    /** One batch of whole tunes, each row a tune, padded (and masked) to the rounded longest. */
    static FrameBatch batch(List<float[][]> group, int rows) {
        int steps = 0;
        for (float[][] t : group) steps = Math.max(steps, t.length - 1);
        return FrameTunes.chunk(group, rows, 0, rounded(steps));
    }

    /** {@code steps} rounded up to eight lengths per octave (16: 16, 17: 18, 200: 208, 254: 256, 258: 288). */
    public static int rounded(int steps) {
        if (steps <= 16) return Math.max(1, steps);
        int quantum = Integer.highestOneBit(steps) >> 3;
        return (steps + quantum - 1) / quantum * quantum;
    }
}
