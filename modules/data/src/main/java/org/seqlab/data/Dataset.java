package org.seqlab.data;

import org.seqlab.core.data.Splits;

import java.util.List;

/**
 * A loaded text dataset, already split.
 *
 * @param name        short name for reports
 * @param source      where it came from (path or builtin id)
 * @param sha256      hash of the raw text, for provenance
 * @param splits      train/valid/test text; in lines mode each is "\n" + examples each ended by "\n"
 * @param eos         the end-of-sequence symbol ("\n" in lines mode), or null
 * @param optimumLoss the best achievable loss in nats/token when the generating process is known
 * @param trueTestLoss the true process's loss on the test split, when known
 */
public record Dataset(String name, String source, String sha256, Splits<String> splits, String eos,
                      Double optimumLoss, Double trueTestLoss) {

    /** Lines mode stream: a leading end symbol so the first example is predicted from a fresh start. */
    public static String linesToStream(List<String> examples) {
        StringBuilder sb = new StringBuilder("\n");
        for (String e : examples) sb.append(e).append('\n');
        return sb.toString();
    }
}
