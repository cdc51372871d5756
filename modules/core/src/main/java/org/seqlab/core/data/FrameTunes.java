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
 * model sees each tune from its start (truncated BPTT at chunk boundaries) while every batch has
 * the same shape. Padding (shorter tunes, missing rows) is masked.
 */
public final class FrameTunes implements BatchSource {
    private final List<List<FrameBatch>> groups;
    private final SplittableRandom random;
    private final int perEpoch;
    private List<FrameBatch> epoch = List.of();
    private int position;

    public FrameTunes(List<float[][]> tunes, int rows, int chunk, SplittableRandom random) {
        this.groups = groups(tunes, rows, chunk);
        this.random = random;
        this.perEpoch = groups.stream().mapToInt(List::size).sum();
    }

    @Override
    public int batchesPerEpoch() {
        return perEpoch;
    }

    @Override
    public FrameBatch next() {
        if (position >= epoch.size()) {
            List<List<FrameBatch>> order = new ArrayList<>(groups);
            for (int i = order.size() - 1; i > 0; i--) java.util.Collections.swap(order, i, random.nextInt(i + 1));
            List<FrameBatch> e = new ArrayList<>();
            order.forEach(e::addAll);
            epoch = e;
            position = 0;
        }
        return epoch.get(position++);
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
        for (int g = 0; g < sorted.size(); g += rows) {
            List<float[][]> group = sorted.subList(g, Math.min(sorted.size(), g + rows));
            int steps = group.get(0).length - 1;                  // sorted: the first is the longest
            List<FrameBatch> chunks = new ArrayList<>();
            for (int start = 0; start < steps; start += chunk) {
                float[] in = new float[rows * chunk * width], tgt = new float[rows * chunk * width], mask = new float[rows * chunk];
                for (int r = 0; r < group.size(); r++) {
                    float[][] tune = group.get(r);
                    for (int t = 0; t < chunk; t++) {
                        int f = start + t;
                        if (f + 1 >= tune.length) break;
                        System.arraycopy(tune[f], 0, in, (r * chunk + t) * width, width);
                        System.arraycopy(tune[f + 1], 0, tgt, (r * chunk + t) * width, width);
                        mask[r * chunk + t] = 1f;
                    }
                }
                chunks.add(new FrameBatch(rows, chunk, width, in, tgt, mask, start > 0));
            }
            out.add(chunks);
        }
        return out;
    }
}
