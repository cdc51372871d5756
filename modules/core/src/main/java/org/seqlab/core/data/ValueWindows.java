package org.seqlab.core.data;

import org.seqlab.core.ValueBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Sliding windows over a (normalised) series {@code series[t][k]} for regression: a window is
 * {@code length} consecutive inputs {@code x[s .. s+L-1]}, and each step's target is the value
 * {@code horizon} steps after its input ({@code x[s+i+h]}; h = 1 is next-value prediction, h = k
 * direct k-step-ahead).
 *
 * <p>Training draws {@code rows} windows at random positions whose every target lies before
 * {@code trainEnd}, every step scored; an epoch is as many batches as cover the training span once.
 * The evaluation {@link #pass} scores each target of a span exactly once, from a fresh state and
 * the {@code length} values before its forecast origin: the same view the model trained on.
 */
public final class ValueWindows implements BatchSource {
    private final float[][] series;
    private final int trainEnd, rows, length, horizon;
    private final SplittableRandom random;

    public ValueWindows(float[][] series, int trainEnd, int rows, int length, int horizon, SplittableRandom random) {
        if (trainEnd - horizon < length)
            throw new IllegalArgumentException("a window of " + length + " steps with horizon " + horizon + " needs "
                    + (length + horizon) + " training values, there are " + trainEnd);
        this.series = series;
        this.trainEnd = trainEnd;
        this.rows = rows;
        this.length = length;
        this.horizon = horizon;
        this.random = random;
    }

    @Override
    public int batchesPerEpoch() {
        return (int) Math.max(1, Math.ceil((trainEnd - horizon) / (double) (rows * length)));
    }

    @Override
    public ValueBatch next() {
        int w = series[0].length;
        float[] in = new float[rows * length * w], out = new float[rows * length * w];
        int starts = trainEnd - horizon - length + 1;          // s + L - 1 + h <= trainEnd - 1
        for (int r = 0; r < rows; r++) {
            int s = random.nextInt(starts);
            for (int i = 0; i < length; i++) {
                System.arraycopy(series[s + i], 0, in, (r * length + i) * w, w);
                System.arraycopy(series[s + i + horizon], 0, out, (r * length + i) * w, w);
            }
        }
        return new ValueBatch(rows, length, w, in, out, org.seqlab.core.Batch.fullMask(rows, length), false);
    }

    /**
     * One window per target {@code j} in {@code [from, to)}, {@code rows} windows a batch: inputs
     * {@code x[j-h-L+1 .. j-h]}, only the last step scored (target {@code x[j]}).
     */
    public static List<ValueBatch> pass(float[][] series, int from, int to, int length, int horizon, int rows) {
        if (from - horizon - length + 1 < 0)
            throw new IllegalArgumentException("the first target " + from + " has fewer than " + length + " values before its origin");
        int w = series[0].length;
        List<ValueBatch> out = new ArrayList<>();
        for (int first = from; first < to; first += rows) {
            int n = Math.min(rows, to - first);
            float[] in = new float[n * length * w], tgt = new float[n * length * w], mask = new float[n * length];
            for (int r = 0; r < n; r++) {
                int origin = first + r - horizon;
                for (int i = 0; i < length; i++) {
                    int t = origin - length + 1 + i;
                    System.arraycopy(series[t], 0, in, (r * length + i) * w, w);
                    System.arraycopy(series[t + horizon], 0, tgt, (r * length + i) * w, w);
                }
                mask[r * length + length - 1] = 1;
            }
            out.add(new ValueBatch(n, length, w, in, tgt, mask, false));
        }
        return out;
    }
}
