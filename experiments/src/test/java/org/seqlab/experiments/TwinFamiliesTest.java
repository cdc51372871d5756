package org.seqlab.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.InitScheme;
import org.seqlab.core.ModelShape;
import org.seqlab.core.NamedWeights;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.experiments.bench.TwinCurves;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-rolled LSTM and the DL4J LSTM are twins: built from one YAML with one seed they start
 * from the same weights under every init scheme and train to the same validation curve in double
 * precision, with dropout too: both draw the same masks from one stream and drop after every LSTM
 * layer (Dl4jLstmOptionsTest and the hand-rolled DropoutTest pin the places down).
 */
class TwinFamiliesTest {
    private static final int VOCAB = 14;

    @TempDir
    Path dir;

    private static final String YAML = """
            name: twins
            data:
              source: builtin:markov-names
            models:
              - {family: handrolled, name: hand, cell: lstm, hidden: 12, layers: 2, precision: double, dropout: DROP}
              - {family: dl4j-lstm, name: dl4j, hidden: 12, layers: 2, precision: double, dropout: DROP}
            training:
              lr: 0.01
              init: INIT
            """;

    private ExperimentConfig load(InitScheme init, double dropout) throws Exception {
        Path yaml = Files.writeString(dir.resolve("twins.yaml"), YAML.replace("INIT", init.key()).replace("DROP", String.valueOf(dropout)));
        return ConfigLoader.load(yaml, List.of()).config();
    }

    private static SequenceModel create(ExperimentConfig c, int i, long seed) {
        return Families.get(c.models().get(i) instanceof org.seqlab.rnn.HandRolledConfig ? "handrolled" : "dl4j-lstm")
                .create(c.models().get(i), ModelShape.tokens(VOCAB), c.trainingOf(i).options(), seed);
    }

    /** A stream with structure to learn: each token mostly follows from the one before, sometimes at random. */
    private static int[] stream(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] s = new int[n];
        for (int t = 1; t < n; t++) s[t] = r.nextDouble() < 0.8 ? (s[t - 1] * 5 + 3) % VOCAB : r.nextInt(VOCAB);
        return s;
    }

    private static final TwinCurves RUN = new TwinCurves(stream(6000, 1), stream(600, 2), 6, 20, 0.01, 5, 50, 600);

    @Test
    void theInitSchemeIsReadFromTheYamlAndEveryModelGetsIt() throws Exception {
        ExperimentConfig c = load(InitScheme.XAVIER, 0);
        assertEquals(InitScheme.XAVIER, c.training().init());
        for (int i = 0; i < 2; i++) assertEquals(InitScheme.XAVIER, c.trainingOf(i).options().init());
        assertEquals(InitScheme.SMALL_OUTPUT, TrainingOptions.DEFAULT.init(), "one default for every family");
    }

    @Test
    void underEverySchemeTheTwinsStartFromTheSameWeights() throws Exception {
        TokenBatch batch = new org.seqlab.core.data.RandomWindows(stream(2000, 5), 6, 20, new SplittableRandom(13)).next();
        for (InitScheme scheme : InitScheme.values()) {
            ExperimentConfig c = load(scheme, 0);
            try (SequenceModel a = create(c, 0, 7); SequenceModel b = create(c, 1, 7)) {
                Map<String, NamedWeights.Tensor> hand = ((NamedWeights) a).namedWeights(), dl4j = ((NamedWeights) b).namedWeights();
                for (int l = 0; l < 2; l++) {
                    assertArrayEquals(hand.get("l" + l + ".Wx").values(), torchOrder(dl4j.get(l + "_W").values()), 0.0, scheme + " layer " + l + " W");
                    assertArrayEquals(hand.get("l" + l + ".Wh").values(), torchOrder(dl4j.get(l + "_RW").values()), 0.0, scheme + " layer " + l + " RW");
                    assertArrayEquals(hand.get("l" + l + ".b").values(), torchOrder(dl4j.get(l + "_b").values()), 0.0, scheme + " layer " + l + " b");
                }
                assertArrayEquals(hand.get("Why").values(), dl4j.get("2_W").values(), 0.0, scheme + " output W");
                assertArrayEquals(hand.get("by").values(), dl4j.get("2_b").values(), 0.0, scheme + " output b");
                double la = a.trainStep(batch, 0).meanLoss(), lb = b.trainStep(batch, 0).meanLoss();
                assertEquals(la, lb, 1e-12 * la, scheme + ": the same function before training");
            }
        }
    }

    /** DL4J's LSTM gate blocks (g, f, o, i; rows of 4 x 12) in the hand-rolled (and PyTorch) order i, f, g, o. */
    private static double[] torchOrder(double[] dl4j) {
        int h = 12, width = 4 * h;
        int[] from = {3, 1, 0, 2};        // hand-rolled block j is DL4J block from[j]
        double[] out = new double[dl4j.length];
        for (int r = 0; r < dl4j.length / width; r++)
            for (int j = 0; j < 4; j++) System.arraycopy(dl4j, r * width + from[j] * h, out, r * width + j * h, h);
        return out;
    }

    @Test
    void withoutDropoutTheTwinsFollowTheSameValidationCurveOverFiftySteps() throws Exception {
        ExperimentConfig c = load(InitScheme.DEFAULT, 0);
        TwinCurves.Curve a, b;
        try (SequenceModel m = create(c, 0, 3)) { a = RUN.train(m, 11); }
        try (SequenceModel m = create(c, 1, 3)) { b = RUN.train(m, 11); }
        assertEquals(10, a.steps().size(), "validated every 5 of 50 steps");
        assertEquals(a.steps(), b.steps());
        assertTrue(a.losses().get(9) < a.losses().get(0) - 0.05, "it learns: " + a.losses());
        for (int i = 0; i < a.losses().size(); i++)
            // within rounding: DL4J hands its output probabilities over in float, so evaluation rounds at ~1e-8
            assertEquals(a.losses().get(i), b.losses().get(i), 1e-6 * a.losses().get(i), "step " + a.steps().get(i) + ": " + a + " vs " + b);
        assertEquals(0, TwinCurves.largestGap(a, b), 1e-5);
    }

    /**
     * With dropout the twins draw the same masks from one stream ({@link org.seqlab.core.DropoutMasks})
     * in the same places, so their curves agree as closely as without it.
     */
    @Test
    void withDropoutTheTwinsDropTheSameUnitsAndFollowTheSameCurve() throws Exception {
        ExperimentConfig c = load(InitScheme.DEFAULT, 0.3);
        TwinCurves.Curve a, b, none;
        try (SequenceModel m = create(c, 0, 3)) { a = RUN.train(m, 11); }
        try (SequenceModel m = create(c, 1, 3)) { b = RUN.train(m, 11); }
        try (SequenceModel m = create(load(InitScheme.DEFAULT, 0), 0, 3)) { none = RUN.train(m, 11); }
        assertEquals(a.steps(), b.steps());
        assertTrue(Math.abs(a.losses().get(9) - none.losses().get(9)) > 1e-3, "dropout changes training: " + a + " vs " + none);
        for (int i = 0; i < a.losses().size(); i++)
            assertEquals(a.losses().get(i), b.losses().get(i), 1e-6 * a.losses().get(i), "step " + a.steps().get(i) + ": " + a + " vs " + b);
    }

    /** The training loss DL4J reports is that of the pass its gradient is of, output layer's dropout included, as the hand-rolled twin's. */
    @Test
    void withDropoutTheTwinsReportTheSameTrainingLoss() throws Exception {
        ExperimentConfig c = load(InitScheme.DEFAULT, 0.3);
        TokenBatch batch = new org.seqlab.core.data.RandomWindows(stream(2000, 5), 6, 20, new SplittableRandom(13)).next();
        try (SequenceModel a = create(c, 0, 7); SequenceModel b = create(c, 1, 7)) {
            for (int step = 0; step < 3; step++) {
                double la = a.trainStep(batch, 0.01).meanLoss(), lb = b.trainStep(batch, 0.01).meanLoss();
                assertEquals(la, lb, 1e-9 * la, "step " + step);
            }
            assertTrue(a.evaluate(batch).meanLoss() != a.trainStep(batch, 0).meanLoss(), "training sees the dropped network");
        }
    }
}
