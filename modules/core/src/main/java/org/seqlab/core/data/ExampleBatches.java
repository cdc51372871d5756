package org.seqlab.core.data;

import org.seqlab.core.TokenBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One example (e.g. one name) per row, as the course's Dinosaurus task trains: the row's input is
 * the end symbol followed by the example, its target the example followed by the end symbol;
 * shorter rows are padded and masked. Each epoch visits every example once in a seeded order.
 */
public final class ExampleBatches implements BatchSource {
    private final List<int[]> examples;
    private final int rows;
    private final SplittableRandom random;
    private final int[] order;
    private int position;

    public ExampleBatches(int[] stream, int eos, int rows, SplittableRandom random) {
        this.examples = split(stream, eos);
        if (examples.isEmpty()) throw new IllegalArgumentException("no examples between end-of-sequence tokens");
        this.rows = Math.min(rows, examples.size());
        this.random = random;
        this.order = new int[examples.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        position = order.length;
    }

    /** The examples of a lines-mode stream "eos e1 eos e2 eos ...", each with its closing eos. */
    static List<int[]> split(int[] stream, int eos) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        while (start < stream.length && stream[start] == eos) start++;
        for (int i = start; i < stream.length; i++)
            if (stream[i] == eos) {
                out.add(java.util.Arrays.copyOfRange(stream, start, i + 1));
                start = i + 1;
            }
        return out;
    }

    @Override
    public int batchesPerEpoch() {
        return (examples.size() + rows - 1) / rows;
    }

    @Override
    public TokenBatch next() {
        if (position >= order.length) {
            for (int i = order.length - 1; i > 0; i--) {   // Fisher-Yates with the seeded generator
                int j = random.nextInt(i + 1);
                int t = order[i]; order[i] = order[j]; order[j] = t;
            }
            position = 0;
        }
        List<int[]> chosen = new ArrayList<>();
        for (int r = 0; r < rows && position < order.length; r++) chosen.add(examples.get(order[position++]));
        return batch(chosen, examples.get(0)[examples.get(0).length - 1]);
    }

    /** Every example once, in order: the evaluation pass for example-wise training. */
    public static List<TokenBatch> pass(int[] stream, int eos, int rows) {
        List<int[]> ex = split(stream, eos);
        List<TokenBatch> out = new ArrayList<>();
        for (int i = 0; i < ex.size(); i += rows) out.add(batch(ex.subList(i, Math.min(ex.size(), i + rows)), eos));
        return out;
    }

    private static TokenBatch batch(List<int[]> chosen, int eos) {
        int len = 0;
        for (int[] e : chosen) len = Math.max(len, e.length);
        int n = chosen.size();
        int[] in = new int[n * len], out = new int[n * len];
        float[] mask = new float[n * len];
        for (int r = 0; r < n; r++) {
            int[] e = chosen.get(r);
            for (int t = 0; t < e.length; t++) {
                in[r * len + t] = t == 0 ? eos : e[t - 1];
                out[r * len + t] = e[t];
                mask[r * len + t] = 1;
            }
        }
        return new TokenBatch(n, len, in, out, mask, false);
    }
}
