package org.seqlab.experiments;

import org.seqlab.core.Metrics;
import org.seqlab.core.train.EpochRecord;

import java.util.List;
import java.util.Map;

/**
 * {@code results.json}: the machine-readable result of an experiment and part of seqlab's public
 * interface. Losses are nats per token (per frame for frame models). Extend, don't break.
 */
public record Results(String experiment, DatasetSummary dataset, Double optimumLoss, Map<String, Baseline> baselines,
                      List<Run> runs) {

    /**
     * @param unit      what a loss is per: "token" or "frame"
     * @param skipped   input files that could not be read and were left out, with why
     * @param registry  the registry name when data.source named one (source is then the cached file)
     * @param tokenizer text only: "char", "word" (", lowercase" when lower-cased)
     * @param split     how the train/valid/test splits were made (method, fractions, seed, files)
     */
    public record DatasetSummary(String name, String source, String sha256, Tokens tokens, int vocabularySize,
                                 Double trueModelTestLoss, String unit, List<String> skipped, String registry,
                                 String tokenizer, org.seqlab.data.SplitMethod split) {
        public boolean frames() {
            return "frame".equals(unit);
        }
    }

    public record Tokens(long train, long valid, long test) {}

    /** A reference model that is not trained: its test metrics. */
    public record Baseline(Double testLoss, Double testPerplexity, Double testAccuracy) {
        static Baseline of(Metrics m) {
            return new Baseline(finite(m.loss()), finite(m.perplexity()), finite(m.accuracy()));
        }
    }

    /**
     * One trained model.
     *
     * @param status  ok, or diverged (metrics then come from the last good checkpoint, or are null)
     * @param message why a run stopped early
     * @param curve   per-epoch learning curve (tokens seen, seconds, train and validation loss)
     * @param picture file name of the hidden-state heatmap, when the model can show its activations
     * @param training the training settings the run used
     */
    public record Run(String model, String family, long params, long seed, Map<String, Object> config,
                      RunMetrics metrics, String status, String message, List<EpochRecord> curve,
                      List<SampleSet> samples, String checkpoint, String configHash, String picture,
                      org.seqlab.core.train.TrainingConfig training) {
        public Run withModel(String newModel, String newCheckpoint, String newPicture) {
            return new Run(newModel, family, params, seed, config, metrics, status, message, curve, samples, newCheckpoint,
                    configHash, newPicture, training);
        }
    }

    public record RunMetrics(Double validLoss, Double validPerplexity, Double validAccuracy, Double testLoss,
                             Double testPerplexity, Double testAccuracy, Double testBitsPerToken,
                             Double trainTokensPerS, Double trainSeconds, Long trainTokens, Integer bestEpoch) {}

    /** Samples drawn with one sampler setting. */
    public record SampleSet(double temperature, int topK, double topP, List<String> texts) {
        public String label() {
            return "T=" + temperature + (topK > 0 ? ", top-k " + topK : "") + (topP < 1 ? ", top-p " + topP : "");
        }
    }

    /** JSON has no NaN/Infinity: non-finite numbers are written as null. */
    public static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
