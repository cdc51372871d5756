package org.seqlab.experiments.bench;

import org.seqlab.core.ClipSpec;
import org.seqlab.core.InitScheme;
import org.seqlab.core.Json;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TrainingOptions;
import org.seqlab.data.DataConfig;
import org.seqlab.data.DataSources;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.lstm.Dl4jLstmConfig;
import org.seqlab.lstm.Dl4jLstmFamily;
import org.seqlab.rnn.HandRolledConfig;
import org.seqlab.rnn.HandRolledFamily;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code seqlab bench twins}: the hand-rolled LSTM and the DL4J LSTM, twins of one architecture
 * (layers × hidden, one-hot input), trained from the same starting weights (training.init) on the
 * same batches (32 × 100 random windows of the first 90% of a character corpus; Adam 2e-3, clip
 * norm 5), each for the same training time, validated on the next 5% at the same steps. Without
 * dropout and with dropout 0.2, over seeds 1..N, it prints the largest gap between the two mean
 * validation curves at the steps both reached: what a comparison of the two families in a report
 * would show that is not the model.
 */
public final class TwinsBench {
    /** The corpus when none is given: tiny-shakespeare (1.1 MB of plays) from the dataset registry. */
    public static final String DEFAULT_CORPUS = "tiny-shakespeare";

    private final Path file;
    private final int hidden, layers, rows, length, evalEvery, seeds;
    private final double seconds;
    private final InitScheme init;
    private final PrintStream out;

    public TwinsBench(Path file, int hidden, int layers, int rows, int length, int evalEvery, double seconds, int seeds,
                      InitScheme init, PrintStream out) {
        this.file = file;
        this.hidden = hidden;
        this.layers = layers;
        this.rows = rows;
        this.length = length;
        this.evalEvery = evalEvery;
        this.seconds = seconds;
        this.seeds = seeds;
        this.init = init;
        this.out = out;
    }

    /** The registry's copy of {@link #DEFAULT_CORPUS} (downloaded into the dataset cache once). */
    public static Path defaultCorpus() {
        DataConfig c = Json.MAPPER.convertValue(Map.of("source", DEFAULT_CORPUS), DataConfig.class);
        return DataSources.resolve(c, null, Catalogue.fromEnvironment(false), line -> {}).path();
    }

    /** Runs both settings and returns the larger of the two gaps. */
    public double run() {
        CharCorpus corpus = CharCorpus.read(file);
        int[] s = corpus.stream();
        int train = (int) (s.length * 0.9), valid = (int) (s.length * 0.95);
        TwinCurves run = new TwinCurves(Arrays.copyOf(s, train), Arrays.copyOfRange(s, train, valid), rows, length, 2e-3, evalEvery,
                Integer.MAX_VALUE, seconds);
        out.printf(Locale.ROOT, "twins: %s, %,d characters (vocabulary %d; train 90%%, validate on the next 5%%); handrolled lstm vs dl4j-lstm "
                        + "%d x %d, batch %d x %d, adam 2e-3, clip norm 5, init %s, %.0f s of training each (validation not counted), "
                        + "validated every %d steps, seeds 1..%d%n",
                file, s.length, corpus.vocabulary().size(), layers, hidden, rows, length, init.key(), seconds, evalEvery, seeds);
        BenchMachine.describe(out, null);
        ModelShape shape = ModelShape.tokens(corpus.vocabulary().size());
        TrainingOptions options = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.ADAM), new ClipSpec(ClipSpec.Mode.NORM, 5.0), init);
        double worst = 0;
        for (double dropout : new double[]{0.0, 0.2}) {
            List<TwinCurves.Curve> hand = new ArrayList<>(), dl4j = new ArrayList<>();
            for (long seed = 1; seed <= seeds; seed++) {
                try (SequenceModel m = new HandRolledFamily().create(new HandRolledConfig("twin", HandRolledConfig.Cell.LSTM, hidden, layers,
                        dropout, null, null, null), shape, options, seed)) {
                    hand.add(report("handrolled", dropout, seed, run.train(m, seed)));
                }
                try (SequenceModel m = new Dl4jLstmFamily().create(new Dl4jLstmConfig("twin", hidden, null, layers, dropout, null, null,
                        null, null, null, null, null, null, null, null), shape, options, seed)) {
                    dl4j.add(report("dl4j-lstm", dropout, seed, run.train(m, seed)));
                }
            }
            TwinCurves.Curve a = TwinCurves.mean(hand), b = TwinCurves.mean(dl4j);
            double gap = TwinCurves.largestGap(a, b);
            out.printf(Locale.ROOT, "dropout %s, mean of %d seeds: handrolled %s; dl4j-lstm %s%n", dropout, seeds, points(a), points(b));
            out.printf(Locale.ROOT, "%s=%.4f%n", dropout == 0 ? "twins_no_dropout_max_gap" : "twins_dropout_" + String.valueOf(dropout).replace('.', '_') + "_max_gap", gap);
            worst = Double.isNaN(gap) ? Double.NaN : Math.max(worst, gap);
        }
        out.printf(Locale.ROOT, "twins_max_gap=%.4f%n", worst);
        return worst;
    }

    private TwinCurves.Curve report(String family, double dropout, long seed, TwinCurves.Curve c) {
        out.printf(Locale.ROOT, "  %s dropout %s seed %d: %d steps; validation %s%n", family, dropout, seed,
                c.steps().isEmpty() ? 0 : c.steps().get(c.steps().size() - 1), points(c));
        return c;
    }

    private static String points(TwinCurves.Curve c) {
        if (c.steps().isEmpty()) return "(no validation: fewer steps than --eval-every)";
        List<String> p = new ArrayList<>();
        for (int i = 0; i < c.steps().size(); i++) p.add(String.format(Locale.ROOT, "%d: %.4f", c.steps().get(i), c.losses().get(i)));
        return p.stream().collect(Collectors.joining(", "));
    }
}
