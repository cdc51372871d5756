package org.seqlab.core.data;

/** What to do with a symbol that is not in the vocabulary built from the training split. */
public enum UnknownPolicy {
    /** Refuse the data, naming file, line and column of the first unknown symbol (the default). */
    ERROR,
    /** Map it to a reserved {@code <unk>} token that is part of the vocabulary. */
    UNK,
    /** Drop it from the token stream. */
    SKIP
}
