package org.seqlab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A long-memory task with a known optimum: each line is {@code length} symbols drawn uniformly
 * from {@code alphabet} letters, the delimiter '|', and the same symbols again. A model that
 * remembers {@code length} steps back pays ln(alphabet) for each random symbol and nothing for
 * the delimiter, the copy and the end of line (all determined by what came before); one that
 * forgets pays for the copy too. Per predicted token (random part, delimiter, copy, end of line:
 * 2·length + 2 tokens) the optimum is length·ln(alphabet) / (2·length + 2) nats.
 */
public final class CopyTask {
    public static final char DELIMITER = '|';
    private final int alphabet, length;

    public CopyTask(int alphabet, int length) {
        if (alphabet < 2 || alphabet > 26 || length < 1) throw new IllegalArgumentException("2 <= alphabet <= 26 and length >= 1");
        this.alphabet = alphabet;
        this.length = length;
    }

    /** {@code count} lines (without their end-of-line), drawn with a generator seeded by {@code seed}. */
    public List<String> sample(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            StringBuilder first = new StringBuilder(length);
            for (int i = 0; i < length; i++) first.append((char) ('a' + r.nextInt(alphabet)));
            out.add(first + String.valueOf(DELIMITER) + first);
        }
        return out;
    }

    /** The optimal loss in nats per predicted token. */
    public double optimumLoss() {
        return length * Math.log(alphabet) / (2.0 * length + 2);
    }

    /**
     * The loss of the ideal predictor on these lines, token by token: 1/alphabet for each symbol of
     * the random half, certainty for the delimiter, each copied symbol and the end of line.
     */
    public double trueLoss(List<String> lines) {
        double nll = 0;
        long n = 0;
        for (String line : lines) {
            if (line.length() != 2 * length + 1 || line.charAt(length) != DELIMITER
                    || !line.substring(0, length).equals(line.substring(length + 1)))
                throw new IllegalArgumentException("not a copy-task line: " + line);
            for (int i = 0; i <= line.length(); i++) {       // i == line.length(): the end of line
                double p = i < length ? 1.0 / alphabet : 1.0;
                nll -= Math.log(p);
                n++;
            }
        }
        return nll / n;
    }
}
