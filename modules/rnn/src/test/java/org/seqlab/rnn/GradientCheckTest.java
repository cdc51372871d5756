package org.seqlab.rnn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqlab.core.Batch;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.FrameBatch;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.ValueBatch;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central-difference gradient checks in double precision for every parameter tensor of every
 * hand-rolled cell, single and stacked (dropout off), with ragged masks, on tokens, on frames and
 * on real values (the linear regression head): relative error below 1e-5 per tensor.
 */
class GradientCheckTest {
    private static final double EPS = 1e-6;

    private static HandRolledModel model(ModelShape shape, HandRolledConfig.Cell cell, int layers) {
        HandRolledConfig cfg = new HandRolledConfig("gc", cell, 6, layers, 0.0, cell == HandRolledConfig.Cell.LSTM ? 0.5 : null,
                HandRolledConfig.Precision.DOUBLE, shape.kind() == org.seqlab.core.OutputKind.FRAMES ? 0.2 : null);
        return new HandRolledModel(cfg, shape, new TrainingOptions(OptimizerSpec.DEFAULT,
                new ClipSpec(ClipSpec.Mode.NONE, null)), 11);
    }

    @ParameterizedTest(name = "{0} x {1} layers")
    @CsvSource({"RNN,1", "LSTM,1", "GRU,1", "RNN,2", "LSTM,2", "GRU,3"})
    void tokenGradientsMatchFiniteDifferences(HandRolledConfig.Cell cell, int layers) {
        SplittableRandom r = new SplittableRandom(1);
        int rows = 3, len = 5, v = 7;
        int[] in = new int[rows * len], out = new int[rows * len];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextInt(v); out[i] = r.nextInt(v); }
        float[] mask = Batch.fullMask(rows, len);
        mask[len - 1] = 0;             // row 0 one shorter, row 2 two shorter
        mask[3 * len - 1] = mask[3 * len - 2] = 0;
        check(model(ModelShape.tokens(v), cell, layers), new TokenBatch(rows, len, in, out, mask, false));
    }

    @ParameterizedTest
    @EnumSource(HandRolledConfig.Cell.class)
    void frameGradientsMatchFiniteDifferences(HandRolledConfig.Cell cell) {
        SplittableRandom r = new SplittableRandom(2);
        int rows = 2, len = 4, k = 5;
        float[] in = new float[rows * len * k], out = new float[rows * len * k];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextInt(3) == 0 ? 1 : 0; out[i] = r.nextInt(3) == 0 ? 1 : 0; }
        float[] mask = Batch.fullMask(rows, len);
        mask[rows * len - 1] = 0;
        check(model(ModelShape.frames(k), cell, 1), new FrameBatch(rows, len, k, in, out, mask, false));
    }

    @ParameterizedTest(name = "{0} x {1} layers")
    @CsvSource({"RNN,1", "LSTM,1", "GRU,1", "LSTM,2"})
    void valueGradientsMatchFiniteDifferences(HandRolledConfig.Cell cell, int layers) {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 2, len = 5, k = 3;
        float[] in = new float[rows * len * k], out = new float[rows * len * k];
        for (int i = 0; i < in.length; i++) { in[i] = (float) r.nextGaussian(); out[i] = (float) (2 * r.nextGaussian()); }
        float[] mask = Batch.fullMask(rows, len);
        mask[rows * len - 1] = mask[rows * len - 2] = 0;
        check(model(ModelShape.values(k), cell, layers), new ValueBatch(rows, len, k, in, out, mask, false));
    }

    private static void check(HandRolledModel m, Batch batch) {
        Parameters p = m.parameters();
        m.computeGradient(batch);
        INDArray analytic = p.gradient.dup();
        Parameters probe = p; // perturb in place, restore after each entry
        for (Map.Entry<String, INDArray> e : probe.params().entrySet()) {
            INDArray w = e.getValue();
            INDArray g = analytic.get(org.nd4j.linalg.indexing.NDArrayIndex.all()); // flat copy
            INDArray gView = viewLike(p, e.getKey(), g);
            double num2 = 0, diff2 = 0, ana2 = 0;
            for (long i = 0; i < w.length(); i++) {
                double orig = w.getDouble(i);
                w.putScalar(i, orig + EPS);
                double plus = meanLoss(m, batch);
                w.putScalar(i, orig - EPS);
                double minus = meanLoss(m, batch);
                w.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * EPS);
                double a = gView.getDouble(i);
                diff2 += (numeric - a) * (numeric - a);
                num2 += numeric * numeric;
                ana2 += a * a;
            }
            double rel = Math.sqrt(diff2) / Math.max(1e-12, Math.sqrt(num2) + Math.sqrt(ana2));
            assertTrue(rel < 1e-5, e.getKey() + ": relative error " + rel);
            assertTrue(ana2 > 0 || e.getKey().startsWith("b"), e.getKey() + " has an all-zero gradient");
        }
    }

    /** The analytic gradient tensor of {@code name}, as laid out in the flat gradient copy {@code g}. */
    private static INDArray viewLike(Parameters p, String name, INDArray g) {
        long off = 0;
        for (Map.Entry<String, INDArray> e : p.params().entrySet()) {
            long n = e.getValue().length();
            if (e.getKey().equals(name))
                return g.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + n));
            off += n;
        }
        throw new IllegalArgumentException(name);
    }

    private static double meanLoss(HandRolledModel m, Batch b) {
        return m.evaluate(b).meanLoss();
    }
}
