package org.seqlab.experiments;

import org.seqlab.core.data.Vocabulary;

/**
 * What to say about the vocabulary when a model runs out of memory: a model's input and output
 * layers, and every batch's logits, grow with it, so a large one (every word of a corpus, or a
 * file of many distinct characters) is often the cause, and data.max_vocab is the fix.
 */
final class VocabularyAdvice {
    private VocabularyAdvice() {}

    /** Above this many tokens the vocabulary is named as a likely cause. */
    static final int LARGE = 1000;

    /** " Its vocabulary has N tokens ..." (with a leading space), or "" for a small or no vocabulary. */
    static String of(Vocabulary vocabulary) {
        if (vocabulary == null || vocabulary.size() <= LARGE) return "";
        return String.format(java.util.Locale.ROOT, " Its vocabulary has %,d tokens, and the input and output layers grow with it: "
                + "data.max_vocab (e.g. data.max_vocab: 5000) keeps the most frequent, with data.unknown: unk for the rest.", vocabulary.size());
    }
}
