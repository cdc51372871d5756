package org.seqlab.core.data;

import org.seqlab.core.UserException;

import java.util.Arrays;

/** Character-level tokenizer over a {@link Vocabulary}: one token per Unicode code point. */
public record CharTokenizer(Vocabulary vocabulary) implements Tokenizer {

    /**
     * Encodes {@code text}. An unknown character is refused (naming {@code source}, line and
     * column), skipped, or mapped to {@code <unk>}, as the vocabulary's policy says.
     */
    @Override
    public int[] encode(String text, String source) {
        text = vocabulary.tokenizer().prepare(text);
        int[] out = new int[text.length()];
        int n = 0, line = 1, col = 1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String s = Character.toString(cp);
            int id = vocabulary.index(s);
            if (id < 0 && vocabulary.unknown() == UnknownPolicy.ERROR)
                throw new UserException(source + ":" + line + ":" + col + ": character " + describe(cp)
                        + " is not in the vocabulary built from the training split"
                        + " (set data.unknown to 'unk' or 'skip' to accept it)");
            if (id >= 0) out[n++] = id;
            if (cp == '\n') { line++; col = 1; } else col++;
            i += Character.charCount(cp);
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String s = vocabulary.symbol(id);
            sb.append(Vocabulary.UNK.equals(s) ? "\uFFFD" : s);
        }
        return sb.toString();
    }

    static String describe(int cp) {
        String shown = Character.isISOControl(cp) || Character.isWhitespace(cp) ? "" : "'" + Character.toString(cp) + "' ";
        return shown + String.format("(U+%04X)", cp);
    }
}
