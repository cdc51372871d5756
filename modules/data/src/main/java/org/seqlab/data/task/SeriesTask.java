package org.seqlab.data.task;

import org.seqlab.core.Results;
import org.seqlab.core.Batch;
import org.seqlab.core.EvalStats;
import org.seqlab.core.FieldException;
import org.seqlab.core.ForecastErrors;
import org.seqlab.core.Generator;
import org.seqlab.core.Metrics;
import org.seqlab.core.ModelShape;
import org.seqlab.core.NaiveForecasts;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.data.BatchSource;
import org.seqlab.core.data.ValueWindows;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.core.sample.SampleConfig;
import org.seqlab.data.DataSpec;
import org.seqlab.data.DataSources;
import org.seqlab.data.series.Normalization;
import org.seqlab.data.series.SeriesConfig;
import org.seqlab.data.series.SeriesSources;
import org.seqlab.data.series.TimeSeries;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Time-series regression: a chronological train/valid/test split, values normalised with
 * statistics of the training span only, and each target predicted from the {@code seq_len}
 * values up to its forecast origin, {@code horizon} steps before it (sliding windows). Losses are
 * squared errors of normalised values; the test forecasts, and the naive baselines on the same
 * targets, are also scored in original units (MSE, MAE, MAPE).
 */
public final class SeriesTask implements Task {
    private final DataSpec.Series data;
    private final TrainingConfig training;
    private final SeriesConfig sc;
    private final TimeSeries ts;
    private final Normalization norm;
    private final float[][] normalised;
    private final int trainEnd, validEnd, n, horizon, window;

    /** Reads the CSV file DataSources resolved, or generates the built-in series; no samples are drawn from a series. */
    public SeriesTask(DataSpec.Series data, DataSources.Resolved source, TrainingConfig training, SampleConfig samples) {
        this.data = data;
        this.training = training;
        Path file = source.path();
        this.sc = data.series();
        try {
            ts = SeriesSources.load(data, file);
        } catch (FieldException e) {
            throw Tasks.under(e.field().equals("source") || e.field().equals("series") ? "data" : "data.series", e);
        }
        if (training.batching() != TrainingConfig.Batching.WINDOWS)
            throw new FieldException("training.batching", "does not apply to time series: training uses random windows of seq_len values");
        n = ts.length();
        horizon = sc.horizon();
        window = training.seqLen();
        double[] f = data.fractions();
        trainEnd = (int) Math.round(n * f[0]);
        validEnd = (int) Math.round(n * (f[0] + f[1]));
        if (trainEnd - horizon < window + 1)
            throw new FieldException("training.seq_len", "is " + window + " (the input window) but the training span has " + trainEnd
                    + " values; with horizon " + horizon + " use at most seq_len " + Math.max(1, trainEnd - horizon - 1)
                    + " or a longer series");
        if (validEnd - trainEnd < 1 || n - validEnd < 1)
            throw new FieldException("data.split", "leaves " + (validEnd - trainEnd) + " valid and " + (n - validEnd)
                    + " test values of " + n + "; use larger fractions or a longer series");
        int history = NaiveForecasts.history(horizon, sc.season(), sc.movingAverage());
        if (history > validEnd)
            throw new FieldException("data.series", "season " + sc.season() + " and moving_average " + sc.movingAverage()
                    + " need " + history + " values before the test span, which starts at " + validEnd);
        norm = Normalization.fit(sc.normalize(), ts.values(), trainEnd);
        normalised = new float[n][ts.width()];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < ts.width(); k++) normalised[i][k] = (float) norm.apply(ts.values()[i][k], k);
    }

    @Override public ModelShape shape() { return ModelShape.values(ts.width()); }
    @Override public String name() { return ts.name(); }
    @Override public String source() { return ts.source(); }
    @Override public String sha256() { return ts.sha256(); }
    @Override public Double trueTestLoss() { return null; }
    @Override public Vocabulary vocabulary() { return null; }

    /** Predicted steps per split: train targets start one horizon in. */
    @Override
    public Results.Tokens counts() {
        return new Results.Tokens(trainEnd - horizon, validEnd - trainEnd, n - validEnd);
    }

    /** The noise variance in loss units: normalised, summed over series. */
    @Override
    public Double optimum() {
        if (ts.noiseVariance() == null) return null;
        double loss = 0;
        for (int k = 0; k < ts.width(); k++) loss += ts.noiseVariance() / (norm.scale()[k] * norm.scale()[k]);
        return loss;
    }

    @Override
    public BatchSource training(SplittableRandom random) {
        return new ValueWindows(normalised, trainEnd, training.batchSize(), window, horizon, random);
    }

    @Override
    public List<? extends Batch> validPass() {
        return ValueWindows.pass(normalised, trainEnd, validEnd, window, horizon, training.evalBatchSize());
    }

    @Override
    public List<? extends Batch> testPass() {
        return ValueWindows.pass(normalised, validEnd, n, window, horizon, training.evalBatchSize());
    }

    /** The best naive forecast on the test targets, by MSE. */
    @Override
    public String baselineName() {
        return baselines().entrySet().stream().min(Map.Entry.comparingByValue(
                java.util.Comparator.comparingDouble(Results.Baseline::testMse))).orElseThrow().getKey();
    }

    @Override
    public Metrics baseline() {
        return Metrics.of(new EvalStats(baselines().get(baselineName()).testLoss() * (n - validEnd), n - validEnd, 0, 0));
    }

    private Map<String, Results.Baseline> baselines;

    @Override
    public Map<String, Results.Baseline> baselines() {
        if (baselines != null) return baselines;
        Map<String, double[][]> p = new LinkedHashMap<>();
        p.put("last value", naive((y, k) -> NaiveForecasts.lastValue(y, validEnd, n, horizon)));
        p.put("seasonal naive (" + sc.season() + ")", naive((y, k) -> NaiveForecasts.seasonal(y, validEnd, n, horizon, sc.season())));
        p.put("moving average (" + sc.movingAverage() + ")",
                naive((y, k) -> NaiveForecasts.movingAverage(y, validEnd, n, horizon, sc.movingAverage())));
        Map<String, Results.Baseline> out = new LinkedHashMap<>();
        for (var e : p.entrySet()) {
            ForecastErrors err = ForecastErrors.of(truth(), e.getValue());
            out.put(e.getKey(), new Results.Baseline(normalisedLoss(e.getValue()), null, null, err.mse(), err.mae(),
                    Results.finite(err.mape()), e.getValue(), null));
        }
        return baselines = out;
    }

    /**
     * Each naive forecast's normalised squared error (summed over series) on every test target: one
     * example per target, as the test pass scores the models (one window each).
     */
    @Override
    public Map<String, double[]> referenceTestLosses() {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (var e : baselines().entrySet()) {
            double[][] predicted = e.getValue().predictions();
            if (predicted == null) continue;
            double[] loss = new double[predicted.length];
            for (int j = 0; j < predicted.length; j++)
                for (int k = 0; k < ts.width(); k++) {
                    double d = norm.apply(predicted[j][k], k) - norm.apply(ts.values()[validEnd + j][k], k);
                    loss[j] += d * d;
                }
            out.put(e.getKey(), loss);
        }
        return out;
    }

    private interface PerSeries {
        double[] predict(double[] y, int series);
    }

    /** A naive forecast per series, as [target][series]. */
    private double[][] naive(PerSeries f) {
        double[][] out = new double[n - validEnd][ts.width()];
        for (int k = 0; k < ts.width(); k++) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) y[i] = ts.values()[i][k];
            double[] p = f.predict(y, k);
            for (int j = 0; j < p.length; j++) out[j][k] = p[j];
        }
        return out;
    }

    /** The test targets in original units, [target][series]. */
    private double[][] truth() {
        return java.util.Arrays.copyOfRange(ts.values(), validEnd, n);
    }

    /** Mean over test targets of the normalised squared error summed over series: a model's test loss. */
    private double normalisedLoss(double[][] predicted) {
        double loss = 0;
        for (int j = 0; j < predicted.length; j++)
            for (int k = 0; k < ts.width(); k++) {
                double e = norm.apply(predicted[j][k], k) - norm.apply(ts.values()[validEnd + j][k], k);
                loss += e * e;
            }
        return loss / predicted.length;
    }

    @Override
    public Results.SeriesSummary series() {
        List<String> dates = ts.dates() == null ? null : ts.dates().subList(validEnd, n);
        return new Results.SeriesSummary(ts.columns(), horizon, window, sc.season(), sc.movingAverage(),
                sc.normalize().name().toLowerCase(Locale.ROOT), validEnd, dates, truth(), ts.noiseVariance(), ts.notes());
    }

    /**
     * The direct predictions for every test target, and with horizon 1 the recursive forecast of
     * the whole test span: primed with the window before it, each prediction is fed back in.
     */
    @Override
    public Results.Forecast forecast(SequenceModel m) {
        int w = ts.width();
        double[][] direct = new double[n - validEnd][w];
        int j = 0;
        for (Batch b : testPass()) {
            float[] y = m.logits(b);
            for (int r = 0; r < b.rows(); r++, j++)
                for (int k = 0; k < w; k++) direct[j][k] = norm.invert(y[(r * window + window - 1) * w + k], k);
        }
        ForecastErrors e = ForecastErrors.of(truth(), direct);
        double[][] recursive = null;
        Double recursiveMse = null;
        if (horizon == 1) {
            Generator g = m.generator();
            float[] next = null;
            for (int i = validEnd - window; i < validEnd; i++) next = g.nextValues(normalised[i].clone());
            recursive = new double[n - validEnd][w];
            for (int i = 0; i < recursive.length; i++) {
                for (int k = 0; k < w; k++) recursive[i][k] = norm.invert(next[k], k);
                if (i + 1 < recursive.length) next = g.nextValues(next.clone());
            }
            recursiveMse = Results.finite(ForecastErrors.of(truth(), recursive).mse());
        }
        return new Results.Forecast(Results.finite(e.mse()), Results.finite(e.mae()), Results.finite(e.mape()), e.mapeSkipped(),
                direct, recursiveMse, recursive);
    }

    @Override
    public List<Results.SampleSet> sample(SequenceModel m, String run, SplittableRandom random, Path out) {
        return List.of();
    }

    @Override
    public String picture(SequenceModel m, String run, Path out) {
        return null;
    }

    @Override
    public List<String> skipped() {
        return List.of();
    }
}
