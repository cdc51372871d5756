package org.seqlab.core.data;

/** Text to token ids and back, over a {@link Vocabulary}. */
public interface Tokenizer {
    Vocabulary vocabulary();

    /**
     * Encodes {@code text}; an unknown symbol is refused (naming {@code source}, line and column),
     * skipped or mapped to {@code <unk>}, as the vocabulary's policy says.
     */
    int[] encode(String text, String source);

    String decode(int[] ids);

    /** {@code prime} followed by generated {@code continuation}, spaced as running text. */
    default String join(String prime, String continuation) {
        return prime + continuation;
    }

    /** The tokenizer a vocabulary was built for (checkpoints store it with the vocabulary). */
    static Tokenizer of(Vocabulary v) {
        return v.tokenizer().kind() == TokenizerSpec.Kind.WORD ? new WordTokenizer(v) : new CharTokenizer(v);
    }
}
