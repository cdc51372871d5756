package org.seqlab.core.sample;

import org.seqlab.core.Generator;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.data.Tokenizer;

import java.util.SplittableRandom;

/** Generates text from a token model through a {@link Sampler}. */
public final class TextSampling {
    private TextSampling() {}

    /**
     * Feeds {@code prime} (the end-of-sequence symbol when empty and the vocabulary has one, so a
     * names model starts a fresh name), then samples up to {@code maxTokens} tokens, stopping after
     * the end-of-sequence token. The returned text excludes the prime and the final end symbol.
     */
    public static String generate(SequenceModel model, Tokenizer tokenizer, String prime, int maxTokens,
                                  Sampler sampler, SplittableRandom random) {
        int eos = tokenizer.vocabulary().eosIndex();
        int[] start = prime == null || prime.isEmpty()
                ? (eos >= 0 ? new int[]{eos} : new int[]{random.nextInt(tokenizer.vocabulary().size())})
                : tokenizer.encode(prime, "prime");
        int unk = tokenizer.vocabulary().symbols().indexOf(org.seqlab.core.data.Vocabulary.UNK);
        int[] out = tokens(model, start, maxTokens, eos, unk, sampler, random);
        return tokenizer.decode(out);
    }

    /**
     * Feeds {@code start}, then samples up to {@code maxTokens} tokens, stopping at {@code stop}
     * (not included; -1 = never) and never producing {@code banned} (-1 = none, e.g. the unknown token).
     */
    public static int[] tokens(SequenceModel model, int[] start, int maxTokens, int stop, int banned, Sampler sampler,
                               SplittableRandom random) {
        Generator g = model.generator();
        float[] logits = null;
        for (int t : start) logits = g.next(t);
        int[] out = new int[maxTokens];
        int n = 0;
        while (n < maxTokens) {
            if (banned >= 0) logits[banned] = Float.NEGATIVE_INFINITY;
            int next = sampler.sample(logits, random);
            if (next == stop) break;
            out[n++] = next;
            logits = g.next(next);
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
