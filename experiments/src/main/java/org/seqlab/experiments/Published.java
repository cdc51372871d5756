package org.seqlab.experiments;

import org.seqlab.core.FieldException;

/**
 * A figure from the literature to read this experiment's results against: the report shows it as a
 * row of the results table, and a comparison of several experiments (`seqlab report A B ...`) as a
 * row of its across-datasets table. Cite where it comes from: a number without a source is not one.
 *
 * @param model    what the figure is for, e.g. "LSTM (Bai et al. 2018)" (required)
 * @param testLoss its test loss, in this experiment's unit (nats per frame for piano rolls, per token for text; required)
 * @param source   where it is published: paper, year, table (required)
 */
public record Published(String model, Double testLoss, String source) {
    public Published {
        if (model == null || model.isBlank()) throw new FieldException("model", "name what the figure is for, e.g. \"LSTM (Bai et al. 2018)\"");
        if (testLoss == null || !Double.isFinite(testLoss) || testLoss < 0)
            throw new FieldException("test_loss", "must be a finite number >= 0 (the published test loss), got " + testLoss);
        if (source == null || source.isBlank()) throw new FieldException("source", "cite where the figure is published (paper, year, table)");
    }
}
