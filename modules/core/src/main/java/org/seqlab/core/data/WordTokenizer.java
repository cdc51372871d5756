package org.seqlab.core.data;

import org.seqlab.core.UserException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level tokenizer: a token is a word (letters, marks and digits, with inner apostrophes as in
 * "don't" or "o'er"), one punctuation character, or a newline. Other white space separates tokens
 * and is dropped; newlines stay tokens so generated text keeps its line structure.
 *
 * <p>{@link #decode} puts text back together as running text: a space between words, none before
 * closing punctuation (,.;:!?)]} and none after opening brackets, none around hyphens, none
 * around a newline; a lone apostrophe joins the word after it ('tis); straight double quotes
 * alternate between opening and closing.
 */
public record WordTokenizer(Vocabulary vocabulary) implements Tokenizer {
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{M}\\p{N}]+(?:['’][\\p{L}\\p{M}\\p{N}]+)*|\\n|\\S");
    private static final Set<String> CLOSING = Set.of(",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "…");
    private static final Set<String> OPENING = Set.of("(", "[", "{", "'", "‘", "“");
    private static final Set<String> JOINING = Set.of("-", "–", "—", "/");

    /** The tokens of {@code text} (lower-cased first when asked). */
    public static List<String> split(String text, boolean lowercase) {
        if (lowercase) text = text.toLowerCase(java.util.Locale.ROOT);
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    @Override
    public int[] encode(String text, String source) {
        text = vocabulary.tokenizer().prepare(text);
        int[] out = new int[text.length()];
        int n = 0, line = 1, lineStart = 0;
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            String t = m.group();
            int id = vocabulary.index(t);
            if (id < 0 && vocabulary.unknown() == UnknownPolicy.ERROR)
                throw new UserException(source + ":" + line + ":" + (text.codePointCount(lineStart, m.start()) + 1) + ": word '"
                        + t + "' is not in the vocabulary built from the training split"
                        + " (set data.unknown to 'unk' or 'skip' to accept it)");
            if (id >= 0) out[n++] = id;
            if (t.equals("\n")) { line++; lineStart = m.end(); }
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public String decode(int[] ids) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) tokens.add(vocabulary.symbol(id));
        return detokenize(tokens, false);
    }

    @Override
    public String join(String prime, String continuation) {
        List<String> tokens = new ArrayList<>(split(prime, false));
        tokens.addAll(split(continuation, false));
        return detokenize(tokens, false);
    }

    /**
     * Running text from tokens (see the class comment for the spacing rules); {@code quoteOpen}
     * says whether a double quote is already open before the first token.
     */
    public static String detokenize(List<String> tokens, boolean quoteOpen) {
        StringBuilder sb = new StringBuilder();
        String prev = null;
        boolean inQuote = quoteOpen;
        for (String t : tokens) {
            boolean quote = t.equals("\"");
            boolean closingQuote = quote && inQuote;
            boolean space = prev != null && !prev.equals("\n") && !t.equals("\n")
                    && !CLOSING.contains(t) && !OPENING.contains(prev) && !JOINING.contains(t) && !JOINING.contains(prev)
                    && !closingQuote && !(prev.equals("\"") && inQuote);
            if (space) sb.append(' ');
            sb.append(t);
            if (quote) inQuote = !inQuote;
            prev = t;
        }
        return sb.toString();
    }
}
