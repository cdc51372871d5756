package org.seqlab.core.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An indexed set of symbols with an explicit unknown-symbol policy and an optional end-of-sequence
 * symbol. Stored in every checkpoint, so sampling needs nothing but the checkpoint.
 */
public final class Vocabulary {
    public static final String UNK = "<unk>";

    private final List<String> symbols;
    private final UnknownPolicy unknown;
    private final String eos;
    private final Map<String, Integer> index = new HashMap<>();

    /**
     * @param symbols the symbols in index order
     * @param unknown what {@link #index} does with a symbol it does not know
     * @param eos     the end-of-sequence symbol (e.g. "\n" for one-name-per-line corpora), or null
     */
    @JsonCreator
    public Vocabulary(@JsonProperty("symbols") List<String> symbols, @JsonProperty("unknown") UnknownPolicy unknown,
                      @JsonProperty("eos") String eos) {
        this.symbols = List.copyOf(symbols);
        this.unknown = unknown == null ? UnknownPolicy.ERROR : unknown;
        this.eos = eos;
        for (int i = 0; i < this.symbols.size(); i++) index.put(this.symbols.get(i), i);
        if (index.size() != this.symbols.size()) throw new IllegalArgumentException("vocabulary symbols must be distinct");
        if (this.unknown == UnknownPolicy.UNK && !index.containsKey(UNK))
            throw new IllegalArgumentException("unknown policy 'unk' needs a " + UNK + " symbol");
        if (eos != null && !index.containsKey(eos))
            throw new IllegalArgumentException("end-of-sequence symbol is not in the vocabulary");
    }

    /** Vocabulary of the distinct characters (code points) of {@code text}, sorted, eos first. */
    public static Vocabulary ofCharacters(CharSequence text, UnknownPolicy unknown, String eos) {
        List<String> chars = new ArrayList<>();
        if (eos != null) chars.add(eos);
        text.codePoints().distinct().sorted().mapToObj(Character::toString)
                .filter(s -> !s.equals(eos)).forEach(chars::add);
        if (unknown == UnknownPolicy.UNK) chars.add(UNK);
        return new Vocabulary(chars, unknown, eos);
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
                && java.util.Objects.equals(v.eos, eos);
    }

    @Override
    public int hashCode() {
        return symbols.hashCode();
    }
}
