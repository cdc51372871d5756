package org.seqlab.core.data;

/**
 * Which tokenizer a {@link Vocabulary} belongs to. Stored with the vocabulary in every checkpoint,
 * so sampling from a checkpoint encodes the prime and joins the output the way training did.
 *
 * @param kind      char (one token per code point) or word (words, punctuation and newlines)
 * @param lowercase whether text is lower-cased before it is tokenized
 */
public record TokenizerSpec(Kind kind, boolean lowercase) {
    public enum Kind { CHAR, WORD }

    /** What vocabularies written before tokenizers were recorded used. */
    public static final TokenizerSpec CHAR = new TokenizerSpec(Kind.CHAR, false);

    public TokenizerSpec {
        if (kind == null) kind = Kind.CHAR;
    }

    /** "char", "word" or "word, lowercase": how reports name it. */
    public String label() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + (lowercase ? ", lowercase" : "");
    }

    /** {@code text} as this tokenizer sees it. */
    public String prepare(String text) {
        return lowercase ? text.toLowerCase(java.util.Locale.ROOT) : text;
    }
}
