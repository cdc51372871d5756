package org.seqlab.transformer;

import org.junit.jupiter.api.Test;
import org.seqlab.core.Batch;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.FrameBatch;
import org.seqlab.core.Generator;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.ValueBatch;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The fused engine against the SameDiff graph it replaces on CPUs: two models from the same seed,
 * one per engine, fed the same batches, draw the same dropout masks and must agree step after step
 * on the loss, every parameter's gradient, the updated weights' outputs, sliding evaluation and
 * generation: to 1e-9 (relative to each tensor's largest gradient) in double precision, 1e-5 in float.
 */
class FusedTransformerTest {
    private static final TrainingOptions ADAMW = new TrainingOptions(
            OptimizerSpec.of(OptimizerSpec.Type.ADAMW).withWeightDecay(0.1), new ClipSpec(ClipSpec.Mode.NORM, 1.0));

    private static TransformerConfig config(int layers, int heads, int width, int context, double dropout,
                                            TransformerConfig.Positions positions, boolean tied, Integer microBatch,
                                            Double framePrior, TransformerConfig.Precision precision) {
        return new TransformerConfig("t", layers, heads, width, context, null, dropout, null, positions, tied, microBatch,
                null, framePrior, null, precision, null);
    }

    private static TransformerModel model(TransformerConfig c, ModelShape shape, TransformerConfig.Engine engine, long seed) {
        return (TransformerModel) new TransformerFamily().create(c.withEngine(engine), shape, ADAMW, seed);
    }

    private static TokenBatch tokens(int vocab, int rows, int length, long seed, boolean continues) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] in = new int[rows * length], out = new int[rows * length];
        float[] mask = new float[rows * length];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(vocab);
            out[i] = r.nextInt(vocab);
            mask[i] = r.nextInt(5) == 0 ? 0 : 1;   // ragged: some steps carry no loss
        }
        return new TokenBatch(rows, length, in, out, mask, continues);
    }

    private static FrameBatch frames(int keys, int rows, int length, long seed, boolean continues) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] in = new float[rows * length * keys], out = new float[in.length], mask = new float[rows * length];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(6) == 0 ? 1 : 0;
            out[i] = r.nextInt(6) == 0 ? 1 : 0;
        }
        java.util.Arrays.fill(mask, 1);
        mask[mask.length - 1] = 0;
        return new FrameBatch(rows, length, keys, in, out, mask, continues);
    }

    private static ValueBatch values(int series, int rows, int length, long seed, boolean continues) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] in = new float[rows * length * series], out = new float[in.length], mask = new float[rows * length];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) r.nextGaussian();
            out[i] = (float) r.nextGaussian();
        }
        java.util.Arrays.fill(mask, 1);
        return new ValueBatch(rows, length, series, in, out, mask, continues);
    }

    /**
     * Four steps on both engines: gradients, losses and (after the updates) logits of a probe batch
     * must agree. Batches after the first continue the previous one, so the carried context is exercised.
     */
    private static void agree(TransformerConfig c, ModelShape shape, IntFunction<Batch> batches, double tol) {
        TransformerModel graph = model(c, shape, TransformerConfig.Engine.SAMEDIFF, 11);
        TransformerModel fused = model(c, shape, TransformerConfig.Engine.FUSED, 11);
        for (int step = 0; step < 4; step++) {
            Batch b = batches.apply(step);
            float[][] ga = graph.gradient(b), gb = fused.gradient(b);
            List<String> names = graph.parameterNames();
            assertEquals(ga.length, gb.length);
            boolean anyNonZero = false;
            for (int i = 0; i < ga.length; i++) {
                double max = 0, diff = 0;
                for (int k = 0; k < ga[i].length; k++) {
                    max = Math.max(max, Math.abs(ga[i][k]));
                    diff = Math.max(diff, Math.abs(ga[i][k] - gb[i][k]));
                }
                anyNonZero |= max > 0;
                assertTrue(diff <= tol * Math.max(max, 1e-6), "step " + step + ", gradient of " + names.get(i)
                        + ": largest difference " + diff + " against largest value " + max);
            }
            assertTrue(anyNonZero, "the gradients are not all zero");
            double la = graph.trainStep(b, 3e-3).lossSum(), lb = fused.trainStep(b, 3e-3).lossSum();
            assertEquals(la, lb, tol * Math.abs(la) + 1e-12, "step " + step + ": training loss");
        }
        Batch probe = batches.apply(99);
        float[] oa = graph.logits(probe), ob = fused.logits(probe);
        double max = 0;
        for (float v : oa) max = Math.max(max, Math.abs(v));
        for (int k = 0; k < oa.length; k++)
            assertEquals(oa[k], ob[k], 10 * tol * max, "logit " + k + " after four updates");
        assertEquals(graph.evaluate(probe).lossSum(), fused.evaluate(probe).lossSum(), 10 * tol * Math.abs(graph.evaluate(probe).lossSum()));
        graph.close();
        fused.close();
    }

    @Test
    void tokensWithDropoutAndCarriedContextMatchTheGraphInDouble() {
        TransformerConfig c = config(2, 4, 16, 12, 0.2, TransformerConfig.Positions.LEARNED, false, null, null,
                TransformerConfig.Precision.DOUBLE);
        agree(c, ModelShape.tokens(7), s -> tokens(7, 3, 8, 100 + s, s > 0 && s < 99), 1e-9);
    }

    /** Without the Vector API (or with -Dseqlab.kernels=nd4j) the engine's element-wise work is ND4J's ops: the same steps. */
    @Test
    void withoutTheFusedKernelsTheEngineStillMatchesTheGraph() {
        assertTrue(org.seqlab.optim.FusedKernels.enabled(), "the tests above ran the kernels");
        boolean was = org.seqlab.optim.FusedKernels.use(false);
        try {
            tokensWithDropoutAndCarriedContextMatchTheGraphInDouble();
            alibiWithTiedEmbeddingsMatchesTheGraph();
        } finally {
            org.seqlab.optim.FusedKernels.use(was);
        }
    }

    @Test
    void tokensMatchTheGraphInFloat() {
        TransformerConfig c = config(2, 2, 32, 16, 0.1, TransformerConfig.Positions.LEARNED, false, null, null,
                TransformerConfig.Precision.FLOAT);
        agree(c, ModelShape.tokens(11), s -> tokens(11, 4, 10, 200 + s, s > 0 && s < 99), 1e-5);
    }

    @Test
    void alibiWithTiedEmbeddingsMatchesTheGraph() {
        TransformerConfig c = config(2, 4, 16, 10, 0.1, TransformerConfig.Positions.ALIBI, true, null, null,
                TransformerConfig.Precision.DOUBLE);
        agree(c, ModelShape.tokens(9), s -> tokens(9, 2, 7, 300 + s, s > 0 && s < 99), 1e-9);
    }

    @Test
    void pianoRollFramesWithAFramePriorMatchTheGraph() {
        TransformerConfig c = config(2, 2, 16, 12, 0.1, TransformerConfig.Positions.ALIBI, false, null, 0.05,
                TransformerConfig.Precision.DOUBLE);
        agree(c, ModelShape.frames(10), s -> frames(10, 3, 9, 400 + s, s > 0 && s < 99), 1e-9);
    }

    @Test
    void realValuesMatchTheGraph() {
        TransformerConfig c = config(1, 2, 8, 8, 0.0, TransformerConfig.Positions.LEARNED, false, null, null,
                TransformerConfig.Precision.DOUBLE);
        agree(c, ModelShape.values(2), s -> values(2, 2, 6, 500 + s, s > 0 && s < 99), 1e-9);
    }

    @Test
    void microBatchesAndSequencesLongerThanTheContextMatchTheGraph() {
        // 20 steps through a context of 8: pieces along time with earlier inputs as a prefix; rows in groups of 2
        TransformerConfig c = config(2, 2, 16, 8, 0.1, TransformerConfig.Positions.LEARNED, false, 2, null,
                TransformerConfig.Precision.DOUBLE);
        agree(c, ModelShape.tokens(6), s -> tokens(6, 5, 20, 600 + s, false), 1e-9);
    }

    @Test
    void generationMatchesTheGraph() {
        TransformerConfig c = config(2, 2, 16, 6, 0.0, TransformerConfig.Positions.LEARNED, false, null, null,
                TransformerConfig.Precision.DOUBLE);
        TransformerModel graph = model(c, ModelShape.tokens(5), TransformerConfig.Engine.SAMEDIFF, 3);
        TransformerModel fused = model(c, ModelShape.tokens(5), TransformerConfig.Engine.FUSED, 3);
        Generator ga = graph.generator(), gb = fused.generator();
        for (int t = 0; t < 15; t++) {   // past the context of 6: the window slides
            float[] a = ga.next(t % 5), b = gb.next(t % 5);
            assertArrayEquals(a, b, 1e-6f, "step " + t);
        }
        graph.close();
        fused.close();
    }

    @Test
    void theEngineIsFusedOnTheCpuUnlessAsked() {
        TransformerConfig c = TransformerConfig.of("t", 1, 1, 8, 4);
        assertEquals(TransformerConfig.Engine.FUSED, c.engineOnThisBackend());
        assertEquals(TransformerConfig.Engine.SAMEDIFF, c.withEngine(TransformerConfig.Engine.SAMEDIFF).engineOnThisBackend());
        assertNull(c.engine(), "the default is decided by the backend, not written into the configuration");
    }
}
