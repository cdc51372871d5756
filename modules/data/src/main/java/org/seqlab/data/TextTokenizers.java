package org.seqlab.data;

import org.seqlab.core.FieldException;
import org.seqlab.core.data.CharTokenizer;
import org.seqlab.core.data.Tokenizer;
import org.seqlab.core.data.TokenizerSpec;
import org.seqlab.core.data.UnknownPolicy;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.data.WordTokenizer;

import java.util.List;

/** Builds the tokenizer {@code data.tokenizer}, {@code max_vocab} and {@code lowercase} ask for, from the training split. */
public final class TextTokenizers {
    private TextTokenizers() {}

    /**
     * @param eos the end-of-sequence symbol of lines mode ("\n"), or null
     * @throws FieldException (field max_vocab) when the cap drops training tokens and nothing may
     *                        stand in for them
     */
    public static Tokenizer build(DataSpec.Text cfg, String trainText, String eos) {
        TokenizerSpec spec = new TokenizerSpec(cfg.tokenizer(), cfg.lowercase());
        String text = spec.prepare(trainText);
        // the character vocabulary without a cap stays sorted by code point, as it always was
        if (spec.kind() == TokenizerSpec.Kind.CHAR && cfg.maxVocab() == 0)
            return new CharTokenizer(Vocabulary.ofCharacters(text, cfg.unknown(), eos, spec));
        List<String> tokens = spec.kind() == TokenizerSpec.Kind.WORD ? WordTokenizer.split(text, false)
                : text.codePoints().mapToObj(Character::toString).toList();
        Vocabulary v = Vocabulary.ofTokens(tokens, cfg.maxVocab(), cfg.unknown(), eos, List.of("\n"), spec);
        if (cfg.unknown() == UnknownPolicy.ERROR) {
            long distinct = tokens.stream().distinct().count();
            if (distinct > v.size())
                throw new FieldException("max_vocab", "keeps " + v.size() + " of the training split's " + distinct + " distinct "
                        + (spec.kind() == TokenizerSpec.Kind.WORD ? "words" : "characters")
                        + "; the others need data.unknown: unk (or skip)");
        }
        return Tokenizer.of(v);
    }
}
