package org.seqlab.core;

/**
 * Argument checks for config records: they throw {@link FieldException} naming the field, which
 * the config loader turns into "file:line:col: field: message".
 */
public final class Check {
    private Check() {}

    /** A finite number above zero (NaN and infinities, which YAML spells .nan and .inf, are refused). */
    public static void positive(String field, double v) {
        if (!Double.isFinite(v)) throw new FieldException(field, "must be a finite number > 0, got " + num(v));
        if (!(v > 0)) throw new FieldException(field, "must be > 0, got " + num(v));
    }

    public static void nonNegative(String field, double v) {
        if (!Double.isFinite(v)) throw new FieldException(field, "must be a finite number >= 0, got " + num(v));
        if (!(v >= 0)) throw new FieldException(field, "must be >= 0, got " + num(v));
    }

    public static void atLeast(String field, long v, long min) {
        if (v < min) throw new FieldException(field, "must be >= " + min + ", got " + v);
    }

    public static void range(String field, double v, double lo, double hi, boolean hiInclusive) {
        boolean ok = v >= lo && (hiInclusive ? v <= hi : v < hi);
        if (!ok) throw new FieldException(field, "must be in [" + num(lo) + ", " + num(hi) + (hiInclusive ? "]" : ")")
                + ", got " + num(v));
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
