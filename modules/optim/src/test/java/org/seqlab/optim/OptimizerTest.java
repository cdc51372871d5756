package org.seqlab.optim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.OptimizerSpec;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every rule against torch.optim's update written out element by element, in double precision. */
class OptimizerTest {
    private static final List<Optimizer.Tensor> LAYOUT = List.of(
            new Optimizer.Tensor("W", 0, 6, true), new Optimizer.Tensor("b", 6, 3, false), new Optimizer.Tensor("U", 9, 4, true));

    /** torch.optim's step for one element array; decoupled decay on the marked entries. */
    private static final class Reference {
        final OptimizerSpec s;
        final double[] m = new double[13], v = new double[13];
        int t;

        Reference(OptimizerSpec s) {
            this.s = s;
        }

        void step(double[] p, double[] g, double lr, boolean[] decays) {
            t++;
            for (int i = 0; i < p.length; i++) {
                if (decays[i]) p[i] *= 1 - lr * s.weightDecay();
                double gi = g[i];
                switch (s.type()) {
                    case SGD -> p[i] -= lr * gi;
                    case MOMENTUM -> { m[i] = s.beta1() * m[i] + gi; p[i] -= lr * m[i]; }
                    case ADAGRAD -> { m[i] += gi * gi; p[i] -= lr * gi / (Math.sqrt(m[i]) + s.epsilon()); }
                    case RMSPROP -> {
                        m[i] = s.beta2() * m[i] + (1 - s.beta2()) * gi * gi;
                        p[i] -= lr * gi / (Math.sqrt(m[i]) + s.epsilon());
                    }
                    case ADAM, ADAMW -> {
                        m[i] = s.beta1() * m[i] + (1 - s.beta1()) * gi;
                        v[i] = s.beta2() * v[i] + (1 - s.beta2()) * gi * gi;
                        double bc1 = 1 - Math.pow(s.beta1(), t), bc2 = 1 - Math.pow(s.beta2(), t);
                        p[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + s.epsilon());
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(OptimizerSpec.Type.class)
    void everyRuleIsTorchsRule(OptimizerSpec.Type type) {
        OptimizerSpec spec = OptimizerSpec.of(type).withWeightDecay(0.1);
        Optimizer o = new Optimizer(spec, new ClipSpec(ClipSpec.Mode.NONE, null), DataType.DOUBLE, LAYOUT);
        Reference ref = new Reference(spec);
        SplittableRandom r = new SplittableRandom(4);
        double[] p = new double[13];
        for (int i = 0; i < p.length; i++) p[i] = r.nextDouble(-1, 1);
        INDArray params = Nd4j.createFromArray(p.clone());
        boolean[] decays = new boolean[13];
        for (int i = 0; i < 13; i++) decays[i] = i < 6 || i >= 9;
        for (int step = 0; step < 7; step++) {
            double[] g = new double[13];
            for (int i = 0; i < g.length; i++) g[i] = r.nextDouble(-2, 2) * (i == 3 ? 1e-5 : 1);   // one tiny gradient: epsilon matters
            double lr = 0.05 / (step + 1);
            ref.step(p, g, lr, decays);
            o.step(params, Nd4j.createFromArray(g), lr);
            assertArrayEquals(p, params.toDoubleVector(), 1e-14, type + " after step " + (step + 1));
        }
        assertEquals(7, o.iteration());
    }

    /** Adam's fused update (the default with the Vector API) and ND4J's nine ops give the same steps, in double and in float. */
    @ParameterizedTest
    @EnumSource(value = OptimizerSpec.Type.class, names = {"ADAM", "ADAMW"})
    void adamsFusedUpdateAndNd4jsOpsAgree(OptimizerSpec.Type type) {
        assertTrue(FusedKernels.enabled(), "the tests run the kernels");
        boolean was = FusedKernels.use(false);
        try {
            everyRuleIsTorchsRule(type);                              // ND4J's ops against the reference too
        } finally {
            FusedKernels.use(was);
        }
        int n = 1000;
        List<Optimizer.Tensor> layout = List.of(new Optimizer.Tensor("w", 0, 600, true), new Optimizer.Tensor("b", 600, 400, false));
        INDArray[] after = new INDArray[2];
        for (int k = 0; k < 2; k++) {
            boolean before = FusedKernels.use(k == 0);
            try {
                Optimizer o = new Optimizer(OptimizerSpec.of(type).withWeightDecay(0.1), new ClipSpec(ClipSpec.Mode.NONE, null), DataType.FLOAT, layout);
                SplittableRandom r = new SplittableRandom(1);
                INDArray params = Nd4j.createFromArray(randomFloats(r, n));
                for (int step = 0; step < 5; step++) o.step(params, Nd4j.createFromArray(randomFloats(r, n)), 1e-2);
                after[k] = params;
            } finally {
                FusedKernels.use(before);
            }
        }
        double[] fused = after[0].toDoubleVector(), nd4j = after[1].toDoubleVector();
        for (int i = 0; i < n; i++) assertEquals(nd4j[i], fused[i], 1e-6, "float parameter " + i);
    }

    private static float[] randomFloats(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }

    @Test
    void decayPolicySparesBiasesUnlessToldOtherwise() {
        for (OptimizerSpec.DecayParams policy : OptimizerSpec.DecayParams.values()) {
            OptimizerSpec spec = new OptimizerSpec(OptimizerSpec.Type.SGD, null, null, null, 0.5, policy, null);
            Optimizer o = new Optimizer(spec, new ClipSpec(ClipSpec.Mode.NONE, null), DataType.DOUBLE, LAYOUT);
            INDArray params = Nd4j.ones(DataType.DOUBLE, 13);
            o.step(params, Nd4j.zeros(DataType.DOUBLE, 13), 0.2);
            double bias = policy == OptimizerSpec.DecayParams.ALL ? 0.9 : 1.0;
            assertEquals(0.9, params.getDouble(0), 1e-15, policy + ": a matrix decays");
            assertEquals(bias, params.getDouble(7), 1e-15, policy + ": the bias");
            assertEquals(0.9, params.getDouble(12), 1e-15, policy + ": the second matrix");
        }
    }

    @Test
    void clippingByNormIsTorchsAndReturnsTheNormBefore() {
        Optimizer o = new Optimizer(OptimizerSpec.DEFAULT, new ClipSpec(ClipSpec.Mode.NORM, 1.0), DataType.DOUBLE, LAYOUT);
        INDArray g = Nd4j.zeros(DataType.DOUBLE, 13);
        g.putScalar(0, 3);
        g.putScalar(12, 4);
        assertEquals(5.0, o.clip(g), 1e-15);
        assertEquals(3 / (5 + 1e-6), g.getDouble(0), 1e-15, "clip_grad_norm_ scales by max_norm / (norm + 1e-6)");
        Optimizer v = new Optimizer(OptimizerSpec.DEFAULT, new ClipSpec(ClipSpec.Mode.VALUE, 0.5), DataType.DOUBLE, LAYOUT);
        INDArray h = Nd4j.createFromArray(new double[]{-3, 0.2, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        v.clip(h);
        assertArrayEquals(new double[]{-0.5, 0.2, 0.5}, new double[]{h.getDouble(0), h.getDouble(1), h.getDouble(2)});
    }

    @Test
    void stateRoundTripsAndMismatchesAreRefused() {
        Optimizer a = new Optimizer(OptimizerSpec.DEFAULT, ClipSpec.DEFAULT, DataType.DOUBLE, LAYOUT);
        INDArray pa = Nd4j.ones(DataType.DOUBLE, 13);
        a.step(pa, Nd4j.ones(DataType.DOUBLE, 13), 0.1);
        Optimizer b = new Optimizer(OptimizerSpec.DEFAULT, ClipSpec.DEFAULT, DataType.DOUBLE, LAYOUT);
        b.restore(a.state().dup(), a.iteration());
        INDArray pb = pa.dup();
        a.step(pa, Nd4j.ones(DataType.DOUBLE, 13).muli(0.3), 0.1);
        b.step(pb, Nd4j.ones(DataType.DOUBLE, 13).muli(0.3), 0.1);
        assertArrayEquals(pa.toDoubleVector(), pb.toDoubleVector(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> b.restore(Nd4j.zeros(DataType.DOUBLE, 5), 1));
        assertThrows(IllegalArgumentException.class, () -> new Optimizer(OptimizerSpec.DEFAULT, ClipSpec.DEFAULT, DataType.DOUBLE,
                List.of(new Optimizer.Tensor("W", 0, 4, true), new Optimizer.Tensor("b", 5, 2, false))));
    }
}
