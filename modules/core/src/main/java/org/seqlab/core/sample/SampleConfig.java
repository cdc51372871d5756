package org.seqlab.core.sample;

import org.seqlab.core.Check;

import java.util.List;

/**
 * The {@code samples:} section: what to generate from every trained model for the report.
 *
 * @param count        samples per setting
 * @param maxLength    tokens per sample at most (a names model stops at the end-of-name token)
 * @param temperatures one row of samples per temperature
 * @param topP         also sample at temperature 1 with this nucleus (1 = skip)
 * @param topK         top-k applied to every setting (0 = off)
 */
public record SampleConfig(Integer count, Integer maxLength, List<Double> temperatures, Double topP, Integer topK) {
    public SampleConfig {
        if (count == null) count = 10;
        if (maxLength == null) maxLength = 60;
        if (temperatures == null) temperatures = List.of(0.5, 1.0, 1.5);
        if (topP == null) topP = 0.9;
        if (topK == null) topK = 0;
        Check.atLeast("count", count, 0);
        Check.atLeast("max_length", maxLength, 1);
        for (double t : temperatures) Check.positive("temperatures", t);
        Check.range("top_p", topP, 1e-9, 1, true);
        Check.atLeast("top_k", topK, 0);
    }

    public static SampleConfig defaults() {
        return new SampleConfig(null, null, null, null, null);
    }
}
