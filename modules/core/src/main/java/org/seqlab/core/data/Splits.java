package org.seqlab.core.data;

import org.seqlab.core.FieldException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Reproducible train/valid/test splits: by example (lines shuffled with a seed) or contiguous (a
 * continuous text stream, cut at fractions).
 */
public record Splits<T>(T train, T valid, T test) {

    /** Checks that fractions are three non-negative numbers with a positive train part summing to 1. */
    public static double[] checkFractions(List<Double> f) {
        if (f == null || f.size() != 3)
            throw new FieldException("split", "expected three fractions [train, valid, test], got " + f);
        double sum = 0;
        for (double x : f) {
            if (!(x >= 0)) throw new FieldException("split", "fractions must be >= 0, got " + f);
            sum += x;
        }
        if (Math.abs(sum - 1) > 1e-6) throw new FieldException("split", "fractions must sum to 1, got " + f);
        if (f.get(0) <= 0 || f.get(1) <= 0 || f.get(2) <= 0)
            throw new FieldException("split", "train, valid and test fractions must each be > 0, got " + f);
        return new double[]{f.get(0), f.get(1), f.get(2)};
    }

    /** Shuffles examples with {@code seed} and cuts them at the fractions. */
    public static <E> Splits<List<E>> ofExamples(List<E> examples, double[] fractions, long seed) {
        List<E> shuffled = new ArrayList<>(examples);
        java.util.Collections.shuffle(shuffled, new Random(seed));
        int n = shuffled.size();
        int a = (int) Math.round(n * fractions[0]);
        int b = (int) Math.round(n * (fractions[0] + fractions[1]));
        return new Splits<>(List.copyOf(shuffled.subList(0, a)), List.copyOf(shuffled.subList(a, b)),
                List.copyOf(shuffled.subList(b, n)));
    }

    /** Cuts a continuous text at the fractions (no shuffling: neighbouring text stays together). */
    public static Splits<String> ofText(String text, double[] fractions) {
        int n = text.length();
        int a = safeCut(text, (int) Math.round(n * fractions[0]));
        int b = safeCut(text, (int) Math.round(n * (fractions[0] + fractions[1])));
        return new Splits<>(text.substring(0, a), text.substring(a, b), text.substring(b));
    }

    // never cut a surrogate pair in half
    private static int safeCut(String s, int i) {
        return i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i)) ? i + 1 : i;
    }
}
