package org.seqlab.core;

import org.seqlab.core.data.SplitMethod;
import org.seqlab.core.train.EpochRecord;
import org.seqlab.core.train.TrainingConfig;

import java.util.List;
import java.util.Map;

/**
 * {@code results.json}: the machine-readable result of an experiment and part of seqlab's public
 * interface. Losses are nats per token (per frame for frame models; for time series the squared
 * error of the normalised values summed over series, per predicted step). Extend, don't break.
 */
public record Results(String experiment, DatasetSummary dataset, Double optimumLoss, Map<String, Baseline> baselines,
                      List<Run> runs, String description, TrainingConfig training, List<Long> seeds,
                      Environment environment, List<PublishedFigure> published) {
    public Results {
        if (published == null) published = List.of();                    // results.json from before published figures
    }

    /**
     * Reads a results.json: fields this version does not know are skipped (newer versions only add
     * fields); a damaged file, or one without the fields every report needs, is one line naming it.
     */
    public static Results read(java.nio.file.Path file) {
        Results r = Json.readOutput(file, Results.class, "results");
        String missing = r.experiment() == null ? "experiment" : r.dataset() == null ? "dataset" : r.runs() == null ? "runs" : null;
        if (missing == null && r.runs().contains(null)) missing = "runs[" + r.runs().indexOf(null) + "]";
        if (missing != null)
            throw new UserException(file + ": not a complete results file: it has no '" + missing + "' (damaged, or not written by seqlab run)");
        return r;
    }

    /**
     * A figure from the literature (the experiment's {@code published:}), with the experiment it
     * was given for: a comparison of several experiments keeps each one's figures apart.
     */
    public record PublishedFigure(String experiment, String model, double testLoss, String source) {}


    /**
     * Where the experiment ran: what the report's provenance section shows, so that a report is a
     * function of results.json alone ({@code seqlab report} needs nothing else).
     */
    public record Environment(String gitCommit, Boolean gitDirty, String jvm, String os, String backend, String startTime) {
        public static Environment of(Provenance p) {
            return new Environment(p.gitCommit(), p.gitDirty(), p.jvm(), p.os(), p.backend(), p.startTime());
        }
    }

    /** The same results with other runs and published figures (a comparison of several directories) under another name and description. */
    public Results withRuns(String newExperiment, String newDescription, Double newOptimum, List<Run> newRuns, List<PublishedFigure> newPublished) {
        return new Results(newExperiment, dataset, newOptimum, baselines, newRuns, newDescription, training, seeds, environment, newPublished);
    }

    /**
     * @param unit      what a loss is per: "token", "frame" or "value" (a predicted time step)
     * @param skipped   input files that could not be read and were left out, with why
     * @param registry  the registry name when data.source named one (source is then the cached file)
     * @param tokenizer text only: "char", "word" (", lowercase" when lower-cased)
     * @param split     how the train/valid/test splits were made (method, fractions, seed, files)
     * @param series    time series only: what was predicted and the test span's truth
     */
    public record DatasetSummary(String name, String source, String sha256, Tokens tokens, int vocabularySize,
                                 Double trueModelTestLoss, Unit unit, List<String> skipped, String registry,
                                 String tokenizer, SplitMethod split, SeriesSummary series) {
        public boolean frames() {
            return unit == Unit.FRAME;
        }

        public boolean values() {
            return unit == Unit.VALUE;
        }
    }

    /** What a loss is per, as results.json spells it: "token", "frame" or "value" (one per model output kind). */
    public enum Unit {
        TOKEN, FRAME, VALUE;

        public static Unit of(OutputKind kind) {
            return switch (kind) {
                case TOKENS -> TOKEN;
                case FRAMES -> FRAME;
                case VALUES -> VALUE;
            };
        }

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A time-series task (in original units).
     *
     * @param columns      the series predicted
     * @param horizon      steps ahead of the last input that each prediction is for
     * @param window       inputs each prediction sees (training.seq_len)
     * @param testStart    index of the first test target in the series
     * @param testDates    the test targets' date labels, or null
     * @param testTruth    the test targets, [target][series]
     * @param optimumMse   the best possible test MSE when the generating process is known (noise variance)
     * @param notes        what reading the data changed (rows dropped or filled)
     */
    public record SeriesSummary(List<String> columns, int horizon, int window, int season, int movingAverage,
                                String normalize, int testStart, List<String> testDates, double[][] testTruth,
                                Double optimumMse, List<String> notes) {}

    public record Tokens(long train, long valid, long test) {}

    /**
     * A reference model that is not trained: its test metrics; for time series also its errors in
     * original units and its predictions ([target][series]).
     */
    public record Baseline(Double testLoss, Double testPerplexity, Double testAccuracy, Double testMse, Double testMae,
                           Double testMape, double[][] predictions, Double testExpectedAccuracy) {
        public static Baseline of(Metrics m) {
            return new Baseline(finite(m.loss()), finite(m.perplexity()), finite(m.accuracy()), null, null, null, null, finite(m.expectedAccuracy()));
        }
    }

    /**
     * A time-series model's test forecasts in original units.
     *
     * @param testMse       mean squared error of the direct (one- or k-step-ahead) predictions
     * @param mapeSkipped   test targets equal to 0, left out of MAPE
     * @param predictions   the direct predictions, [target][series]
     * @param recursiveMse  horizon 1 only: MSE of forecasting the whole test span from its start,
     *                      each prediction fed back as the next input (null otherwise)
     * @param recursive     those recursive forecasts, [target][series]
     */
    public record Forecast(Double testMse, Double testMae, Double testMape, long mapeSkipped, double[][] predictions,
                           Double recursiveMse, double[][] recursive) {}

    /**
     * One trained model.
     *
     * @param status  ok, or diverged (metrics then come from the last good checkpoint, or are null)
     * @param message why a run stopped early
     * @param curve   per-epoch learning curve (tokens seen, seconds, train and validation loss)
     * @param picture file name of the hidden-state heatmap, when the model can show its activations
     * @param training the training settings the run used
     * @param forecast time series only: the test forecasts in original units
     * @param settings what the report's settings table shows for the model, as its family declares
     * @param experiment in a comparison of several experiments, the one the run comes from (null in
     *                   an experiment's own results)
     * @param modelName  in a comparison, the model's name in its own experiment (null otherwise: {@code model})
     * @param errorLog   a run that failed for an internal reason (a bug, not a result): its stack
     *                   trace's file, relative to the experiment's directory (null otherwise)
     */
    public record Run(String model, String family, long params, long seed, Map<String, Object> config,
                      RunMetrics metrics, String status, String message, List<EpochRecord> curve,
                      List<SampleSet> samples, String checkpoint, String configHash, String picture,
                      TrainingConfig training, Forecast forecast, MemoryPeak memory,
                      Map<String, Object> settings, String experiment, String modelName, String errorLog) {
        public Run(String model, String family, long params, long seed, Map<String, Object> config,
                   RunMetrics metrics, String status, String message, List<EpochRecord> curve,
                   List<SampleSet> samples, String checkpoint, String configHash, String picture,
                   TrainingConfig training, Forecast forecast, MemoryPeak memory,
                   Map<String, Object> settings) {
            this(model, family, params, seed, config, metrics, status, message, curve, samples, checkpoint, configHash, picture,
                    training, forecast, memory, settings, null, null, null);
        }

        /** A run that failed for an internal reason, its stack trace in {@code log}. */
        public static Run internalError(String model, String family, long params, long seed, Map<String, Object> config,
                                        String message, TrainingConfig training, MemoryPeak memory, Map<String, Object> settings, String log) {
            return new Run(model, family, params, seed, config, null, "failed", message, List.of(), List.of(), null, null, null,
                    training, null, memory, settings, null, null, log);
        }

        /** This run in a comparison: shown as {@code newModel}, from {@code fromExperiment}. */
        public Run inComparison(String newModel, String newCheckpoint, String newPicture, String fromExperiment) {
            return new Run(newModel, family, params, seed, config, metrics, status, message, curve, samples, newCheckpoint,
                    configHash, newPicture, training, forecast, memory, settings, fromExperiment, modelName != null ? modelName : model,
                    errorLog);
        }
    }

    /**
     * Memory while one model trained, was evaluated and sampled: peak resident set and peak
     * resident memory outside the Java heap (ND4J's arrays and native code), in bytes.
     *
     * @param scope         "run": the run was alone in its process, the figures are its own;
     *                      "process": other runs trained in the same JVM meanwhile (a sweep's workers,
     *                      Spark tasks), the figures are the whole process's (null in older results: "run")
     * @param runsInFlight  the most runs in the process at once while it ran
     */
    public record MemoryPeak(long peakRssBytes, long peakOffHeapBytes, String scope, Integer runsInFlight) {
        public static final String RUN = "run", PROCESS = "process";

        /** Whether the figures are the whole process's, shared with other runs. */
        public boolean shared() {
            return PROCESS.equals(scope);
        }
    }

    /**
     * A run's scores. Frame models: {@code testAccuracy} is the thresholded frame accuracy and
     * {@code testExpectedAccuracy} the expected one the literature reports (null for other kinds).
     */
    public record RunMetrics(Double validLoss, Double validPerplexity, Double validAccuracy, Double testLoss,
                             Double testPerplexity, Double testAccuracy, Double testBitsPerToken,
                             Double trainTokensPerS, Double trainSeconds, Long trainTokens, Integer bestEpoch,
                             Double testExpectedAccuracy) {
        /** Test accuracy as the console says it: "61.5%", for frames "46.1% expected, 61.5% thresholded"; null when there is none. */
        public String testAccuracyText() {
            if (testAccuracy == null) return null;
            return testExpectedAccuracy == null ? String.format("%.1f%%", 100 * testAccuracy)
                    : String.format("%.1f%% expected, %.1f%% thresholded", 100 * testExpectedAccuracy, 100 * testAccuracy);
        }
    }

    /**
     * Samples drawn with one sampler setting: texts, or the paths of MIDI files; {@code audio}, the
     * WAV renderings of those MIDI files in the same order (empty when there are none).
     */
    public record SampleSet(double temperature, int topK, double topP, List<String> texts, List<String> audio) {
        public SampleSet {
            if (audio == null) audio = List.of();                // results.json written before there was audio
        }

        public SampleSet(double temperature, int topK, double topP, List<String> texts) {
            this(temperature, topK, topP, texts, List.of());
        }

        public String label() {
            return "T=" + temperature + (topK > 0 ? ", top-k " + topK : "") + (topP < 1 ? ", top-p " + topP : "");
        }
    }

    /**
     * Whether a run or sweep trial with this status may be reported as a result (and chosen as a
     * sweep's best): ok, stopped and pruned may; failed and diverged may not.
     */
    public static boolean usable(String status) {
        return !"failed".equals(status) && !"diverged".equals(status);
    }

    /** JSON has no NaN/Infinity: non-finite numbers are written as null. */
    public static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
