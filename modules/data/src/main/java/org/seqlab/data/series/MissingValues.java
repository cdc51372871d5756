package org.seqlab.data.series;

/** What to do with an empty (or NA/NaN) value cell of a time-series CSV. */
public enum MissingValues {
    /** stop with an error naming the file and line (the default: never a silent guess) */
    ERROR,
    /** leave the row out */
    DROP,
    /** linearly between the nearest values before and after */
    INTERPOLATE,
    /** repeat the last value (forward fill) */
    PREVIOUS
}
