package org.seqlab.core.data;

import org.seqlab.core.FrameBatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batches of whole multi-hot sequences (tunes), every frame predicting the next: tunes of similar
 * length are grouped {@code rows} at a time (least padding), and each group is walked in chunks
 * of {@code chunk} frames that {@link FrameBatch#continues() continue} one another, so a stateful
 * model sees each tune from its start (truncated BPTT at chunk boundaries). A group's last chunk
 * is only as long as its longest tune needs, rounded up to a quarter of {@code chunk}: on
 * Nottingham (batch 8, chunk 200) 26.7% of the computed frames were padding, 12.9% now, with at
 * most four chunk lengths (the models keep buffers per shape). Padding (shorter tunes, missing
 * rows, the rounding) is masked.
 */
public final class FrameTunes implements BatchSource {
    private final List<float[][]> tunes;
    private final int rows, chunk, transpose;
    /** The batches of every epoch; null when each epoch transposes the tunes anew. */
    private final List<List<FrameBatch>> groups;
    private final SplittableRandom random;
    private final int perEpoch;
    private List<FrameBatch> epoch = List.of();
    private int position;

    public FrameTunes(List<float[][]> tunes, int rows, int chunk, SplittableRandom random) {
        this(tunes, rows, chunk, random, 0);
    }

    /**
     * @param transpose each epoch, every tune transposed by a whole number of keys drawn from
     *                  [-transpose, transpose] (augmentation; 0: the tunes as they are)
     */
    public FrameTunes(List<float[][]> tunes, int rows, int chunk, SplittableRandom random, int transpose) {
        this.tunes = List.copyOf(tunes);
        this.rows = rows;
        this.chunk = chunk;
        this.transpose = transpose;
        List<List<FrameBatch>> built = groups(tunes, rows, chunk);
        this.perEpoch = built.stream().mapToInt(List::size).sum();      // a transposed epoch has the same chunks
        this.groups = transpose == 0 ? built : null;                     // not kept when every epoch builds its own
        this.random = random;
    }

    @Override
    public int batchesPerEpoch() {
        return perEpoch;
    }

    @Override
    public FrameBatch next() {
        if (position >= epoch.size()) {
            List<List<FrameBatch>> order = new ArrayList<>(transpose == 0 ? groups : groups(transposed(tunes, transpose, random), rows, chunk));
            shuffle(order, random);
            List<FrameBatch> e = new ArrayList<>();
            order.forEach(e::addAll);
            epoch = e;
            position = 0;
        }
        return epoch.get(position++);
    }

    /** The tunes, each moved by its own random number of keys in [-transpose, transpose]. */
    static List<float[][]> transposed(List<float[][]> tunes, int transpose, SplittableRandom random) {
        List<float[][]> out = new ArrayList<>(tunes.size());
        for (float[][] tune : tunes) out.add(transpose(tune, random.nextInt(2 * transpose + 1) - transpose));
        return out;
    }

    /** Fisher-Yates, from {@code random}. */
    static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) java.util.Collections.swap(list, i, random.nextInt(i + 1));
    }

    /** {@code tune} moved {@code keys} keys up (down when negative); what leaves the keyboard is dropped. */
    public static float[][] transpose(float[][] tune, int keys) {
        if (keys == 0) return tune;
        float[][] out = new float[tune.length][];
        for (int f = 0; f < tune.length; f++) {
            int width = tune[f].length;
            out[f] = new float[width];
            for (int k = Math.max(0, -keys); k < Math.min(width, width - keys); k++) out[f][k + keys] = tune[f][k];
        }
        return out;
    }

    /** Every frame of every tune predicted once, in the fixed grouping: the evaluation pass. */
    public static List<FrameBatch> pass(List<float[][]> tunes, int rows, int chunk) {
        List<FrameBatch> out = new ArrayList<>();
        groups(tunes, rows, chunk).forEach(out::addAll);
        return out;
    }

    private static List<List<FrameBatch>> groups(List<float[][]> tunes, int rows, int chunk) {
        if (tunes.isEmpty()) throw new IllegalArgumentException("no tunes");
        int width = tunes.get(0)[0].length;
        List<float[][]> sorted = new ArrayList<>(tunes);
        sorted.sort(Comparator.comparingInt((float[][] t) -> t.length).reversed());
        List<List<FrameBatch>> out = new ArrayList<>();
        int quantum = (chunk + 3) / 4;
        for (int g = 0; g < sorted.size(); g += rows) {
            List<float[][]> group = sorted.subList(g, Math.min(sorted.size(), g + rows));
            int steps = group.get(0).length - 1;                  // sorted: the first is the longest
            List<FrameBatch> chunks = new ArrayList<>();
            for (int start = 0; start < steps; start += chunk)
                chunks.add(chunk(group, rows, start, Math.min(chunk, (steps - start + quantum - 1) / quantum * quantum)));
            out.add(chunks);
        }
        return out;
    }

    /**
     * Frames [start, start + length) of each tune of {@code group} (one row each) predicting the
     * next, padded and masked to {@code rows} rows of {@code length} steps; a chunk after the first
     * continues the one before.
     */
    static FrameBatch chunk(List<float[][]> group, int rows, int start, int length) {
        int width = group.get(0)[0].length;
        float[] in = new float[rows * length * width], tgt = new float[rows * length * width], mask = new float[rows * length];
        for (int r = 0; r < group.size(); r++) {
            float[][] tune = group.get(r);
            for (int t = 0; t < length; t++) {
                int f = start + t;
                if (f + 1 >= tune.length) break;
                System.arraycopy(tune[f], 0, in, (r * length + t) * width, width);
                System.arraycopy(tune[f + 1], 0, tgt, (r * length + t) * width, width);
                mask[r * length + t] = 1f;
            }
        }
        return new FrameBatch(rows, length, width, in, tgt, mask, start > 0);
    }
}
