package org.seqlab.data;

import org.seqlab.core.data.SplitMethod;

import org.seqlab.core.data.Splits;

import java.util.List;

/**
 * A loaded text dataset, already split.
 *
 * @param name         short name for reports (the registry name for registry datasets)
 * @param source       where it came from (path or builtin id)
 * @param sha256       hash of the data, for provenance: of the file's bytes for a registry
 *                     dataset, of the text for a file, of the file list and each file's bytes
 *                     for a directory, of the generated text for a built-in generator
 * @param splits       train/valid/test text; in lines mode each is "\n" + examples each ended by "\n"
 * @param eos          the end-of-sequence symbol ("\n" in lines mode), or null
 * @param optimumLoss  the best achievable loss in nats/token when the generating process is known
 * @param trueTestLoss the true process's loss on the test split, when known
 * @param split        how the splits were made
 */
public record Dataset(String name, String source, String sha256, Splits<String> splits, String eos,
                      Double optimumLoss, Double trueTestLoss, SplitMethod split) {

    /** Lines mode stream: a leading end symbol so the first example is predicted from a fresh start. */
    public static String linesToStream(List<String> examples) {
        StringBuilder sb = new StringBuilder("\n");
        for (String e : examples) sb.append(e).append('\n');
        return sb.toString();
    }
}
