package org.seqlab.lstm;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.FieldException;
import org.seqlab.core.FrameBatch;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Dl4jLstmOptionsTest {
    private static Dl4jLstmConfig cfg(int layers, double dropout, int tbptt, boolean bidirectional) {
        return new Dl4jLstmConfig("t", 16, null, layers, dropout, null, null, null, null, null, null, bidirectional, tbptt, null, null);
    }

    private static TokenBatch batch(int rows, int len, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] in = new int[rows * len], out = new int[rows * len];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextInt(vocab); out[i] = r.nextInt(vocab); }
        return new TokenBatch(rows, len, in, out);
    }

    @Test
    void dropoutFollowsEveryLstmLayerAtTheYamlRate() {
        MultiLayerConfiguration c = Dl4jLstmModel.configuration(cfg(3, 0.2, 0, false), ModelShape.tokens(10), TrainingOptions.DEFAULT, 1);
        assertNull(((BaseLayer) c.getConf(0).getLayer()).getIDropout(), "no dropout on the one-hot input");
        for (int l = 1; l <= 3; l++) {   // LSTM layers 2 and 3 and the output layer get their input dropped
            SharedDropout d = (SharedDropout) ((BaseLayer) c.getConf(l).getLayer()).getIDropout();
            assertEquals(0.2, d.getRate(), 1e-12, "layer " + l + ": YAML dropout 0.2, drawn from the shared stream");
        }
    }

    @Test
    void trainStepReportsTheLossBeforeTheUpdate() {
        Dl4jLstmModel m = new Dl4jLstmModel(cfg(1, 0, 0, false), ModelShape.tokens(12), TrainingOptions.DEFAULT, 3);
        TokenBatch b = batch(4, 9, 12, 5);
        double before = m.evaluate(b).lossSum();
        assertEquals(before, m.trainStep(b, 1e-2).lossSum(), 1e-3 * before, "DL4J score x sequences = summed nats");
    }

    @Test
    void globalNormClippingBoundsTheStep() {
        TrainingOptions sgd = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.SGD),
                new ClipSpec(ClipSpec.Mode.NORM, 1e-3));
        Dl4jLstmModel m = new Dl4jLstmModel(cfg(2, 0, 0, false), ModelShape.tokens(12), sgd, 3);
        INDArray before = m.network().params().dup();
        m.trainStep(batch(4, 9, 12, 6), 1.0);
        double step = m.network().params().sub(before).norm2Number().doubleValue();
        assertTrue(step <= 1e-3 * 1.0001 && step > 1e-4, "an SGD step of lr 1 is at most the clip norm: " + step);
    }

    /** A NADE head's own tensors are stepped with the network's by the one optimiser, clipped over the joint norm. */
    @Test
    void aNadeHeadsOwnTensorsAreClippedAndSteppedWithTheNetwork() {
        TrainingOptions sgd = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.SGD), new ClipSpec(ClipSpec.Mode.NORM, 1e-3));
        Dl4jLstmConfig c = new Dl4jLstmConfig("t", 8, null, 1, null, null, null, Dl4jLstmConfig.Precision.DOUBLE, null, null, null,
                null, null, null, null, "nade", 5);
        Dl4jLstmModel m = new Dl4jLstmModel(c, ModelShape.frames(6), sgd, 3);
        long net = m.network().numParams(), own = 2 * 6 * 5;
        assertEquals(net + own, m.allParameters().length(), "the head's Win and Wout after the network's parameters");
        assertEquals(8 * (6 + 5), m.network().getOutputLayer().paramTable().get("W").length(), "DL4J's output layer is the head's projection [h, keys + nade_hidden]");
        assertTrue(m.namedWeights().containsKey("nade.Win") && m.namedWeights().containsKey("nade.Wout"));
        INDArray before = m.allParameters().dup();
        SplittableRandom r = new SplittableRandom(4);
        float[] in = new float[2 * 5 * 6], out = new float[2 * 5 * 6];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextDouble() < 0.4 ? 1f : 0f; out[i] = r.nextDouble() < 0.4 ? 1f : 0f; }
        m.trainStep(new FrameBatch(2, 5, 6, in, out, org.seqlab.core.Batch.fullMask(2, 5), false), 1.0);
        INDArray delta = m.allParameters().sub(before);
        double step = delta.norm2Number().doubleValue();
        assertTrue(step <= 1e-3 * 1.0001 && step > 1e-4, "an SGD step of lr 1 is at most the clip norm over both: " + step);
        double ownStep = delta.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(net, net + own))
                .norm2Number().doubleValue();
        assertTrue(ownStep > 0 && ownStep < step, "the head's own tensors moved, within the joint step: " + ownStep);
    }

    /** A checkpoint written before output heads (softmax + MCXENT output layer) loads, its output layer becoming the head's projection. */
    @Test
    void aCheckpointFromBeforeOutputHeadsLoads(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Dl4jLstmModel m = new Dl4jLstmModel(cfg(1, 0, 0, false), ModelShape.tokens(12), TrainingOptions.DEFAULT, 3);
        TokenBatch b = batch(3, 7, 12, 8);
        m.trainStep(b, 1e-2);
        double loss = m.evaluate(b).lossSum();
        m.save(dir);
        MultiLayerConfiguration conf = m.network().getLayerWiseConfigurations().clone();
        var top = (org.deeplearning4j.nn.conf.layers.BaseOutputLayer) conf.getConf(conf.getConfs().size() - 1).getLayer();
        top.setLossFn(new org.nd4j.linalg.lossfunctions.impl.LossMCXENT());
        top.setActivationFn(new org.nd4j.linalg.activations.impl.ActivationSoftmax());
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork old = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        old.init(m.network().params().dup(), false);
        org.deeplearning4j.util.ModelSerializer.writeModel(old, dir.resolve("model.zip").toFile(), false);
        try (var back = new Dl4jLstmFamily().load(dir)) {
            assertEquals(loss, back.evaluate(b).lossSum(), 1e-6 * loss, "the same weights score the same through the head");
        }
    }

    @Test
    void headOptionsNameTheField() {
        FieldException unknown = assertThrows(FieldException.class, () -> new Dl4jLstmConfig(null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, "mixture", null));
        assertEquals("output", unknown.field(), unknown.getMessage());
        FieldException stray = assertThrows(FieldException.class, () -> new Dl4jLstmConfig(null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, "bernoulli", 8));
        assertEquals("nade_hidden", stray.field(), stray.getMessage());
        FieldException kind = assertThrows(FieldException.class, () -> new Dl4jLstmFamily().validate(new Dl4jLstmConfig(null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, "nade", null), ModelShape.tokens(12)));
        assertEquals("output", kind.field(), kind.getMessage());
        assertTrue(kind.getMessage().contains("softmax"), kind.getMessage());
        assertEquals(org.seqlab.core.head.Heads.DEFAULT_NADE_HIDDEN, new Dl4jLstmConfig(null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, "nade", null).nadeHidden());
    }

    /** l2 adds l2 * W to the gradient of every weight matrix and leaves the biases' alone (SGD, no clipping: exact). */
    @Test
    void l2PullsWeightMatricesOnlyTowardsZero() {
        TrainingOptions sgd = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.SGD), new ClipSpec(ClipSpec.Mode.NONE, null));
        Dl4jLstmConfig l2 = new Dl4jLstmConfig("t", 16, null, 1, 0.0, null, 0.5, Dl4jLstmConfig.Precision.DOUBLE, null, null, null, false, 0, null, null);
        Dl4jLstmModel a = new Dl4jLstmModel(new Dl4jLstmConfig("t", 16, null, 1, 0.0, null, null, Dl4jLstmConfig.Precision.DOUBLE,
                null, null, null, false, 0, null, null), ModelShape.tokens(12), sgd, 3);
        Dl4jLstmModel b = new Dl4jLstmModel(l2, ModelShape.tokens(12), sgd, 3);
        INDArray w = b.network().getParam("0_W").dup();
        TokenBatch batch = batch(4, 9, 12, 7);
        a.trainStep(batch, 0.1);
        b.trainStep(batch, 0.1);
        INDArray expected = a.network().getParam("0_W").sub(w.mul(0.1 * 0.5));
        assertEquals(0, expected.sub(b.network().getParam("0_W")).amaxNumber().doubleValue(), 1e-12, "W -= lr * l2 * W on top of the loss gradient");
        assertEquals(0, a.network().getParam("0_b").sub(b.network().getParam("0_b")).amaxNumber().doubleValue(), 1e-12, "biases carry no l2");
    }

    @Test
    void truncatedBpttIsConfiguredAndLearns() {
        Dl4jLstmConfig c = cfg(1, 0, 5, false);
        MultiLayerConfiguration conf = Dl4jLstmModel.configuration(c, ModelShape.tokens(8), TrainingOptions.DEFAULT, 1);
        assertEquals(BackpropType.TruncatedBPTT, conf.getBackpropType());
        assertEquals(5, conf.getTbpttFwdLength());
        Dl4jLstmModel m = new Dl4jLstmModel(c, ModelShape.tokens(8), TrainingOptions.DEFAULT, 1);
        int[] seq = new int[21];
        for (int i = 0; i < seq.length; i++) seq[i] = i % 4;        // a cycle: learnable with short context
        TokenBatch b = new TokenBatch(1, 20, java.util.Arrays.copyOf(seq, 20), java.util.Arrays.copyOfRange(seq, 1, 21));
        double first = m.evaluate(b).meanLoss();
        for (int i = 0; i < 150; i++) m.trainStep(b, 2e-2);
        assertTrue(m.evaluate(b).meanLoss() < 0.2 * first, "loss fell from " + first + " to " + m.evaluate(b).meanLoss());
    }

    @Test
    void bidirectionalIsForFramesOnly() {
        FieldException e = assertThrows(FieldException.class,
                () -> new Dl4jLstmFamily().validate(cfg(1, 0, 0, true), ModelShape.tokens(10)));
        assertTrue(e.getMessage().startsWith("bidirectional: a language model must not see the future"), e.getMessage());
        Dl4jLstmModel frames = new Dl4jLstmModel(cfg(1, 0, 0, true), ModelShape.frames(6), TrainingOptions.DEFAULT, 1);
        float[] x = new float[2 * 5 * 6];
        for (int i = 0; i < x.length; i += 3) x[i] = 1;
        FrameBatch fb = new FrameBatch(2, 5, 6, x, x, org.seqlab.core.Batch.fullMask(2, 5), false);
        assertEquals(6 * Math.log(2), frames.evaluate(fb).meanLoss(), 0.3, "a fresh frame model is near K ln 2");
        assertTrue(frames.trainStep(fb, 1e-2).lossSum() > 0);
    }

    @Test
    void badOptionsNameTheField() {
        assertTrue(assertThrows(FieldException.class, () -> cfg(0, 0, 0, false)).getMessage().startsWith("layers: must be >= 1"));
        assertTrue(assertThrows(FieldException.class, () -> cfg(1, 1.0, 0, false)).getMessage().startsWith("dropout: must be in [0, 1)"));
        assertTrue(assertThrows(FieldException.class, () -> new Dl4jLstmConfig(null, null, List.of(8, 8), 3, null, null, null,
                null, null, null, null, null, null, null, null)).getMessage().startsWith("hidden_sizes: has 2 sizes but layers is 3"));
        assertTrue(assertThrows(FieldException.class, () -> new Dl4jLstmConfig(null, null, null, null, null, null, null,
                null, null, null, null, null, 5, 8, null)).getMessage().startsWith("tbptt_backward: must be <= tbptt"));
        assertTrue(assertThrows(FieldException.class, () -> new Dl4jLstmFamily().validate(new Dl4jLstmConfig(null, null, null,
                null, null, null, null, null, Dl4jLstmConfig.Input.EMBEDDING, null, null, null, null, null, null), ModelShape.frames(88)))
                .getMessage().startsWith("input: embedding needs token input"));
    }
}
