package org.seqlab.lstm;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.Batch;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.FrameBatch;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.lstm.Dl4jLstmConfig.Helper;
import org.seqlab.lstm.Dl4jLstmConfig.Precision;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused CPU helper against DL4J's own LSTM path, network against network from the same seed:
 * the loss, every parameter's gradient, the parameters after the update and the evaluation
 * outputs agree to 1e-5 relative in float and 1e-9 in double, step after step, through dropout,
 * carried state, masks (ragged and with holes) and truncated BPTT.
 */
class FusedLstmHelperTest {
    private static final TrainingOptions SGD = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.SGD),
            new ClipSpec(ClipSpec.Mode.NONE, null));

    private static Dl4jLstmConfig cfg(Precision p, int layers, double dropout, int tbptt, int tbpttBackward, Helper helper) {
        return new Dl4jLstmConfig("t", 12, null, layers, dropout, null, null, p, null, null, null, false, tbptt,
                tbptt > 0 ? tbpttBackward : null, helper);
    }

    private static Dl4jLstmConfig bidirectional(Precision p, Helper helper) {
        return new Dl4jLstmConfig("t", 10, null, 2, 0.0, null, null, p, null, null, null, true, 0, null, helper);
    }

    private static double tolerance(Precision p) {
        return p == Precision.DOUBLE ? 1e-9 : 1e-5;
    }

    private static TokenBatch tokens(int rows, int len, int vocab, long seed, boolean continues) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] in = new int[rows * len], out = new int[rows * len];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextInt(vocab); out[i] = r.nextInt(vocab); }
        float[] mask = new float[rows * len];
        java.util.Arrays.fill(mask, 1f);
        return new TokenBatch(rows, len, in, out, mask, continues);
    }

    /** Frames with the given per-row mask (1 = a real step). */
    private static FrameBatch frames(int rows, int len, int width, long seed, float[] mask, boolean continues) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] in = new float[rows * len * width], out = new float[rows * len * width];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextDouble() < 0.2 ? 1 : 0; out[i] = r.nextDouble() < 0.2 ? 1 : 0; }
        return new FrameBatch(rows, len, width, in, out, mask, continues);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void twoLayersWithDropoutAndCarriedStateTrainAsDl4jsOwnPath(Precision p) {
        List<Batch> batches = List.of(tokens(3, 9, 11, 1, false), tokens(3, 9, 11, 2, true), tokens(3, 9, 11, 3, true),
                tokens(3, 9, 11, 4, false));
        assertSameTraining(cfg(p, 2, 0.3, 0, 0, Helper.FUSED), cfg(p, 2, 0.3, 0, 0, Helper.BUILTIN), ModelShape.tokens(11),
                batches, tolerance(p));
    }

    /** An embedding layer first: its gradient is the first LSTM's input gradient. */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void anEmbeddingBeforeTheLstmsTrainsAsDl4jsOwnPath(Precision p) {
        java.util.function.Function<Helper, Dl4jLstmConfig> embedded = h -> new Dl4jLstmConfig("t", 10, null, 2, 0.0, null, null, p,
                Dl4jLstmConfig.Input.EMBEDDING, 6, null, false, 0, null, h);
        List<Batch> batches = List.of(tokens(3, 7, 13, 8, false), tokens(3, 7, 13, 9, true));
        assertSameTraining(embedded.apply(Helper.FUSED), embedded.apply(Helper.BUILTIN), ModelShape.tokens(13), batches, tolerance(p));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void raggedAndHoledMasksTrainAsDl4jsOwnPath(Precision p) {
        int rows = 3, len = 10;
        float[] ragged = new float[rows * len], holes = new float[rows * len];
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < len; t++) {
                ragged[r * len + t] = t < len - 3 * r ? 1 : 0;                // rows of length 10, 7 and 4
                holes[r * len + t] = (t + r) % 4 == 3 ? 0 : 1;                 // DL4J zeroes h and c there
            }
        List<Batch> batches = List.of(frames(rows, len, 7, 1, ragged, false), frames(rows, len, 7, 2, holes, true),
                frames(rows, len, 7, 3, ragged, true));
        assertSameTraining(cfg(p, 2, 0, 0, 0, Helper.FUSED), cfg(p, 2, 0, 0, 0, Helper.BUILTIN), ModelShape.frames(7),
                batches, tolerance(p));
    }

    /** Without the Vector API (or with -Dseqlab.kernels=nd4j) the helper's step runs on ND4J's element-wise ops: the same training. */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void withoutTheFusedKernelsTheHelperStillTrainsAsDl4jsOwnPath(Precision p) {
        boolean was = org.seqlab.optim.FusedKernels.use(false);
        try {
            raggedAndHoledMasksTrainAsDl4jsOwnPath(p);
            truncatedBpttTrainsAsDl4jsOwnPath(p);
        } finally {
            org.seqlab.optim.FusedKernels.use(was);
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void truncatedBpttTrainsAsDl4jsOwnPath(Precision p) {
        List<Batch> batches = List.of(tokens(2, 13, 9, 5, false), tokens(2, 13, 9, 6, true));
        assertSameTraining(cfg(p, 1, 0, 5, 3, Helper.FUSED), cfg(p, 1, 0, 5, 3, Helper.BUILTIN), ModelShape.tokens(9),
                batches, tolerance(p));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void bothDirectionsOfABidirectionalNetworkTrainAsDl4jsOwnPath(Precision p) {
        int rows = 2, len = 8;
        float[] ragged = new float[rows * len];
        for (int r = 0; r < rows; r++) for (int t = 0; t < len; t++) ragged[r * len + t] = t < len - 3 * r ? 1 : 0;
        List<Batch> batches = List.of(frames(rows, len, 6, 1, ragged, false), frames(rows, len, 6, 2, ragged, false));
        assertSameTraining(bidirectional(p, Helper.FUSED), bidirectional(p, Helper.BUILTIN), ModelShape.frames(6), batches, tolerance(p));
    }

    @Test
    void theHelperIsTheDefaultOnTheCpuAndBuiltinLeavesDl4jsPath() {
        Dl4jLstmModel fused = new Dl4jLstmModel(cfg(Precision.FLOAT, 2, 0, 0, 0, null), ModelShape.tokens(5), SGD, 1);
        Dl4jLstmModel builtin = new Dl4jLstmModel(cfg(Precision.FLOAT, 2, 0, 0, 0, Helper.BUILTIN), ModelShape.tokens(5), SGD, 1);
        Dl4jLstmConfig unset = (Dl4jLstmConfig) fused.config();
        assertNull(unset.helper(), "left to the backend, so a saved config and the docs do not depend on the machine");
        assertEquals(Helper.FUSED, unset.helperOnThisBackend());
        int lstms = 0;
        for (Layer layer : fused.network().getLayers())
            if (layer instanceof LSTM l) {
                assertInstanceOf(FusedLstmHelper.class, FusedLstmHelper.of(l));
                lstms++;
            }
        assertEquals(2, lstms);
        Dl4jLstmModel both = new Dl4jLstmModel(bidirectional(Precision.FLOAT, null), ModelShape.frames(5), SGD, 1);
        assertEquals(4, FusedLstmHelper.install(both.network()), "two bidirectional layers, two directions each");
        for (Layer layer : builtin.network().getLayers())
            if (layer instanceof LSTM l) assertNull(FusedLstmHelper.of(l), "helper: builtin keeps DL4J's own path");
    }

    private static void assertSameTraining(Dl4jLstmConfig fusedConfig, Dl4jLstmConfig builtinConfig, ModelShape shape,
                                           List<Batch> batches, double tol) {
        try (Dl4jLstmModel fused = new Dl4jLstmModel(fusedConfig, shape, SGD, 7);
             Dl4jLstmModel builtin = new Dl4jLstmModel(builtinConfig, shape, SGD, 7)) {
            assertClose("initial parameters", fused.network().params(), builtin.network().params(), 0);
            for (int k = 0; k < batches.size(); k++) {
                Batch b = batches.get(k);
                String step = "batch " + k + ": ";
                Nd4j.getRandom().setSeed(99);
                double lossFused = fused.trainStep(b, 0.5).lossSum();
                Nd4j.getRandom().setSeed(99);
                double lossBuiltin = builtin.trainStep(b, 0.5).lossSum();
                assertEquals(lossBuiltin, lossFused, tol * Math.abs(lossBuiltin), step + "loss");
                Map<String, INDArray> gFused = fused.network().gradient().gradientForVariable();
                Map<String, INDArray> gBuiltin = builtin.network().gradient().gradientForVariable();
                assertEquals(gBuiltin.keySet(), gFused.keySet());
                for (String name : gBuiltin.keySet())
                    assertClose(step + "gradient of " + name, gFused.get(name), gBuiltin.get(name), tol);
                assertClose(step + "parameters after the update", fused.network().params(), builtin.network().params(), tol);
                float[] outFused = fused.logits(b), outBuiltin = builtin.logits(b);
                assertClose(step + "evaluation outputs", Nd4j.createFromArray(outFused), Nd4j.createFromArray(outBuiltin),
                        Math.max(tol, 1e-5));
            }
        }
    }

    /** max |a - b| <= tol * max |b| (tol 0: bit for bit). */
    private static void assertClose(String what, INDArray a, INDArray b, double tol) {
        assertEquals(b.length(), a.length(), what + ": length");
        double scale = b.amaxNumber().doubleValue(), diff = a.castTo(b.dataType()).sub(b).amaxNumber().doubleValue();
        assertTrue(scale > 0 || diff == 0, what + ": all zero");
        assertTrue(diff <= tol * scale, what + ": max difference " + diff + " against max magnitude " + scale + " (tolerance " + tol + ")");
    }
}
