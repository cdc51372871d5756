package org.seqlab.core;

/** Next-token batch: {@code targets[i]} is the token that follows {@code inputs[i]}. */
public record TokenBatch(int rows, int length, int[] inputs, int[] targets, float[] mask, boolean continues)
        implements Batch {
    public TokenBatch {
        int n = rows * length;
        if (rows < 1 || length < 1) throw new IllegalArgumentException("empty batch " + rows + "x" + length);
        if (inputs.length != n || targets.length != n || mask.length != n)
            throw new IllegalArgumentException("batch arrays must hold rows*length = " + n + " entries");
    }

    public TokenBatch(int rows, int length, int[] inputs, int[] targets) {
        this(rows, length, inputs, targets, Batch.fullMask(rows, length), false);
    }
}
