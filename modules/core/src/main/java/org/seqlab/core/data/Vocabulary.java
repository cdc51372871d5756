package org.seqlab.core.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.seqlab.core.FieldException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An indexed set of symbols with an explicit unknown-symbol policy and an optional end-of-sequence
 * symbol. Stored in every checkpoint, so sampling needs nothing but the checkpoint.
 */
public final class Vocabulary {
    public static final String UNK = "<unk>";

    private final List<String> symbols;
    private final UnknownPolicy unknown;
    private final String eos;
    private final TokenizerSpec tokenizer;
    private final Map<String, Integer> index = new HashMap<>();

    public Vocabulary(List<String> symbols, UnknownPolicy unknown, String eos) {
        this(symbols, unknown, eos, null);
    }

    /**
     * @param symbols   the symbols in index order
     * @param unknown   what {@link #index} does with a symbol it does not know
     * @param eos       the end-of-sequence symbol (e.g. "\n" for one-name-per-line corpora), or null
     * @param tokenizer the tokenizer the symbols come from; null (checkpoints from before it was
     *                  recorded) means characters
     */
    @JsonCreator
    public Vocabulary(@JsonProperty("symbols") List<String> symbols, @JsonProperty("unknown") UnknownPolicy unknown,
                      @JsonProperty("eos") String eos, @JsonProperty("tokenizer") TokenizerSpec tokenizer) {
        this.symbols = List.copyOf(symbols);
        this.unknown = unknown == null ? UnknownPolicy.ERROR : unknown;
        this.eos = eos;
        this.tokenizer = tokenizer == null ? TokenizerSpec.CHAR : tokenizer;
        for (int i = 0; i < this.symbols.size(); i++) index.put(this.symbols.get(i), i);
        if (index.size() != this.symbols.size()) throw new IllegalArgumentException("vocabulary symbols must be distinct");
        if (this.unknown == UnknownPolicy.UNK && !index.containsKey(UNK))
            throw new IllegalArgumentException("unknown policy 'unk' needs a " + UNK + " symbol");
        if (eos != null && !index.containsKey(eos))
            throw new IllegalArgumentException("end-of-sequence symbol is not in the vocabulary");
    }

    /** Vocabulary of the distinct characters (code points) of {@code text}, sorted, eos first. */
    public static Vocabulary ofCharacters(CharSequence text, UnknownPolicy unknown, String eos) {
        return ofCharacters(text, unknown, eos, TokenizerSpec.CHAR);
    }

    /** As {@link #ofCharacters(CharSequence, UnknownPolicy, String)}, for a tokenizer that may lower-case. */
    public static Vocabulary ofCharacters(CharSequence text, UnknownPolicy unknown, String eos, TokenizerSpec tokenizer) {
        List<String> chars = new ArrayList<>();
        if (eos != null) chars.add(eos);
        text.codePoints().distinct().sorted().mapToObj(Character::toString)
                .filter(s -> !s.equals(eos)).forEach(chars::add);
        if (unknown == UnknownPolicy.UNK) chars.add(UNK);
        return new Vocabulary(chars, unknown, eos, tokenizer);
    }

    /**
     * Vocabulary of {@code tokens}: eos first, then the {@code always} symbols that occur (e.g. the
     * newline token, so samples keep their line breaks), then the others from most to least
     * frequent, ties in {@link String} order (so the same text always gives the same ids), and
     * {@code <unk>} last under the UNK policy.
     *
     * @param maxSize at most this many symbols in all, reserved ones included (0 = no cap); the
     *                least frequent tokens are left out and become unknown
     */
    public static Vocabulary ofTokens(List<String> tokens, int maxSize, UnknownPolicy unknown, String eos,
                                      List<String> always, TokenizerSpec tokenizer) {
        Map<String, Long> counts = new HashMap<>();
        for (String t : tokens) counts.merge(t, 1L, Long::sum);
        Set<String> symbols = new LinkedHashSet<>();
        if (eos != null) symbols.add(eos);
        for (String a : always) if (counts.containsKey(a)) symbols.add(a);
        int reserved = symbols.size() + (unknown == UnknownPolicy.UNK ? 1 : 0);
        List<String> rest = counts.keySet().stream().filter(t -> !symbols.contains(t))
                .sorted(Comparator.comparing((String t) -> -counts.get(t)).thenComparing(Comparator.naturalOrder())).toList();
        int room = maxSize > 0 ? maxSize - reserved : rest.size();
        if (room < 1 && !rest.isEmpty())
            throw new FieldException("max_vocab", "is " + maxSize + " but " + reserved + " symbol(s) are reserved "
                    + "(end of sequence, newline, " + UNK + "); allow at least " + (reserved + 1));
        symbols.addAll(rest.subList(0, Math.min(room, rest.size())));
        if (unknown == UnknownPolicy.UNK) symbols.add(UNK);
        return new Vocabulary(new ArrayList<>(symbols), unknown, eos, tokenizer);
    }

    @JsonProperty
    public List<String> symbols() {
        return symbols;
    }

    @JsonProperty
    public UnknownPolicy unknown() {
        return unknown;
    }

    @JsonProperty
    public String eos() {
        return eos;
    }

    @JsonProperty
    public TokenizerSpec tokenizer() {
        return tokenizer;
    }

    public boolean contains(String symbol) {
        return index.containsKey(symbol);
    }

    public int size() {
        return symbols.size();
    }

    public String symbol(int i) {
        return symbols.get(i);
    }

    /** Index of {@code symbol}; -1 when unknown and the policy is not UNK (the caller reports it). */
    public int index(String symbol) {
        Integer i = index.get(symbol);
        if (i != null) return i;
        return unknown == UnknownPolicy.UNK ? index.get(UNK) : -1;
    }

    public int eosIndex() {
        return eos == null ? -1 : index.get(eos);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.symbols.equals(symbols) && v.unknown == unknown
                && java.util.Objects.equals(v.eos, eos) && v.tokenizer.equals(tokenizer);
    }

    @Override
    public int hashCode() {
        return symbols.hashCode();
    }
}
