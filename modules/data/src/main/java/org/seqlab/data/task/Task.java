package org.seqlab.data.task;

import org.seqlab.core.Batch;
import org.seqlab.core.Metrics;
import org.seqlab.core.Results;
import org.seqlab.core.ModelShape;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.data.BatchSource;
import org.seqlab.core.data.Vocabulary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The data side of an experiment, checked and ready: one kind of data (text, MIDI tokens,
 * piano-roll frames, a time series), its splits, vocabulary or normalisation, batches, reference
 * models, samples and pictures. The runner trains, evaluates and reports through this, so it does
 * not care which kind it runs; {@link Tasks} opens the one a data section asks for.
 */
public interface Task {
    ModelShape shape();

    String name();

    String source();

    String sha256();

    /** Predictions (tokens or frames) in each split. */
    Results.Tokens counts();

    /** Best achievable loss when the generating process is known, else null. */
    Double optimum();

    Double trueTestLoss();

    /** The vocabulary stored in checkpoints (null for frame data). */
    Vocabulary vocabulary();

    BatchSource training(SplittableRandom random);

    List<? extends Batch> validPass();

    List<? extends Batch> testPass();

    /** The simplest reference model's name and test metrics. */
    String baselineName();

    Metrics baseline();

    /** Every reference model's test metrics, by name, in the order the report lists them. */
    default Map<String, Results.Baseline> baselines() {
        return Map.of(baselineName(), Results.Baseline.of(baseline()));
    }

    /**
     * The reference models' loss on every test example, by name ("unigram", "optimum", ...), in the
     * order of {@link #testPass()}'s rows that have real steps (one sum per row, over the same
     * predictions a model's row is scored on), so that they take part in paired comparisons.
     * Empty when no reference can be scored example by example.
     */
    default Map<String, double[]> referenceTestLosses() {
        return Map.of();
    }

    /**
     * What one test example (one row of {@link #testPass()}) is: "sequence" (a line, a tune, a
     * series window) or "chunk" (a stretch of a stream cut into lanes).
     */
    default String testExample() {
        return testPass().stream().anyMatch(Batch::continues) ? "chunk" : "sequence";
    }

    /**
     * A loss no model that learns goes above, so a run above it has diverged: twice the uniform
     * prediction's (ln V a token, K·ln 2 a frame of K keys); for a normalised series ten times the
     * larger of predicting zero (one per series) and the worst naive baseline.
     */
    default double divergedAbove() {
        ModelShape s = shape();
        return switch (s.kind()) {
            case TOKENS -> 2 * Math.log(s.width());
            case FRAMES -> 2 * s.width() * Math.log(2);
            case VALUES -> 10 * Math.max(s.width(), baselines().values().stream()
                    .mapToDouble(b -> b.testLoss() == null ? 0 : b.testLoss()).max().orElse(0));
        };
    }

    /** What {@link #divergedAbove()} is, for the stop reason. */
    default String divergedAboveWhy() {
        return switch (shape().kind()) {
            case TOKENS -> "twice the loss of a uniform prediction (2 ln " + shape().width() + ")";
            case FRAMES -> "twice the loss of a uniform prediction (2 · " + shape().width() + " ln 2)";
            case VALUES -> "ten times the error of a naive forecast";
        };
    }

    /** Time series only: what is predicted and the test span's truth (null for other data). */
    default Results.SeriesSummary series() {
        return null;
    }

    /** Time series only: a trained model's test forecasts in original units (null for other data). */
    default Results.Forecast forecast(SequenceModel m) {
        return null;
    }

    List<Results.SampleSet> sample(SequenceModel m, String run, SplittableRandom random, Path out) throws IOException;

    /** Text only: the tokenizer's label ("char", "word", ...); null otherwise. */
    default String tokenizer() {
        return null;
    }

    /** How the splits were made, when the task made them (null when the data came split). */
    default org.seqlab.core.data.SplitMethod split() {
        return null;
    }

    /** Input files that could not be read and were left out (named, with why). */
    default List<String> skipped() {
        return List.of();
    }

    /** Writes a picture for the report into {@code out}; returns its file name, or null. */
    String picture(SequenceModel m, String run, Path out) throws IOException;
}
