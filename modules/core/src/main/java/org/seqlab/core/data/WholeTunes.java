package org.seqlab.core.data;

import org.seqlab.core.FrameBatch;

import java.util.ArrayList;
import java.util.Collections;
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
        List<float[][]> order = new ArrayList<>(tunes.size());
        for (float[][] t : tunes)
            order.add(transpose == 0 ? t : FrameTunes.transpose(t, random.nextInt(2 * transpose + 1) - transpose));
        shuffle(order);
        List<List<float[][]>> batches = new ArrayList<>();
        for (int p = 0; p < order.size(); p += POOL * rows) {
            List<float[][]> pool = new ArrayList<>(order.subList(p, Math.min(order.size(), p + POOL * rows)));
            pool.sort(Comparator.comparingInt((float[][] t) -> t.length).reversed());
            for (int b = 0; b < pool.size(); b += rows) batches.add(pool.subList(b, Math.min(pool.size(), b + rows)));
        }
        shuffle(batches);
        return batches;
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) Collections.swap(list, i, random.nextInt(i + 1));
    }

    /** One batch of whole tunes, each row a tune, padded (and masked) to the rounded longest. */
    static FrameBatch batch(List<float[][]> group, int rows) {
        int width = group.get(0)[0].length;
        int steps = 0;
        for (float[][] t : group) steps = Math.max(steps, t.length - 1);
        int length = rounded(steps);
        float[] in = new float[rows * length * width], tgt = new float[rows * length * width], mask = new float[rows * length];
        for (int r = 0; r < group.size(); r++) {
            float[][] tune = group.get(r);
            for (int t = 0; t + 1 < tune.length; t++) {
                System.arraycopy(tune[t], 0, in, (r * length + t) * width, width);
                System.arraycopy(tune[t + 1], 0, tgt, (r * length + t) * width, width);
                mask[r * length + t] = 1f;
            }
        }
        return new FrameBatch(rows, length, width, in, tgt, mask, false);
    }

    /** {@code steps} rounded up to eight lengths per octave (16: 16, 17: 18, 200: 208, 254: 256, 258: 288). */
    public static int rounded(int steps) {
        if (steps <= 16) return Math.max(1, steps);
        int quantum = Integer.highestOneBit(steps) >> 3;
        return (steps + quantum - 1) / quantum * quantum;
    }
}
