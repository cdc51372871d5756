package org.seqlab.core.head;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.seqlab.core.EvalStats;
import org.seqlab.core.InitScheme;
import org.seqlab.core.InitialWeights;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every registered head against central finite differences, in double precision: the gradient of
 * the mean loss with respect to the hidden states and to every parameter; and the per-row sums
 * adding up to the batch's.
 */
class HeadGradientTest {
    static final int IN = 5, N = 7;

    static ModelShape shapeFor(String name) {
        for (OutputKind k : OutputKind.values()) if (Heads.applies(name, k)) return new ModelShape(k, k == OutputKind.VALUES ? 3 : 6);
        throw new AssertionError(name);
    }

    /** A head with random (not initial) parameters, so no gradient is zero by symmetry. */
    static OutputHead head(String name, ModelShape shape) {
        OutputHead h = Heads.create(new Heads.Spec(name, name.equals("nade") ? 4 : null), shape, IN);
        h.initialise(new InitialWeights(InitScheme.XAVIER, 3), null);
        SplittableRandom r = new SplittableRandom(11);
        double[] p = h.parameters();
        for (int i = 0; i < p.length; i++) p[i] += 0.5 * (r.nextDouble() - 0.5);
        return h;
    }

    record Data(double[] hidden, int[] tokens, float[] vectors, float[] mask) {}

    static Data data(ModelShape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] hidden = new double[N * IN];
        for (int i = 0; i < hidden.length; i++) hidden[i] = 2 * r.nextDouble() - 1;
        int[] tokens = null;
        float[] vectors = null;
        if (shape.kind() == OutputKind.TOKENS) {
            tokens = new int[N];
            for (int i = 0; i < N; i++) tokens[i] = r.nextInt(shape.width());
        } else {
            vectors = new float[N * shape.width()];
            for (int i = 0; i < vectors.length; i++)
                vectors[i] = shape.kind() == OutputKind.FRAMES ? (r.nextDouble() < 0.4 ? 1f : 0f) : (float) r.nextGaussian();
        }
        float[] mask = new float[N];
        java.util.Arrays.fill(mask, 1f);
        mask[2] = 0;                     // a padded step: no loss, no gradient
        return new Data(hidden, tokens, vectors, mask);
    }

    static double meanLoss(OutputHead h, Data d) {
        EvalStats s = h.evaluate(d.hidden(), N, d.tokens(), d.vectors(), d.mask(), null, 1)[0];
        return s.lossSum() / s.count();
    }

    @TestFactory
    List<DynamicTest> everyHeadMatchesFiniteDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : Heads.names())
            tests.add(DynamicTest.dynamicTest(name, () -> {
                ModelShape shape = shapeFor(name);
                OutputHead h = head(name, shape);
                Data d = data(shape, 5);
                double[] dHidden = new double[N * IN];
                EvalStats trained = h.train(d.hidden(), N, d.tokens(), d.vectors(), d.mask(), dHidden);
                assertEquals(meanLoss(h, d), trained.lossSum() / trained.count(), 1e-12, "train and evaluate give one loss");
                assertEquals(N - 1, trained.count());
                double[] grad = h.gradient().clone();
                double eps = 1e-6;
                double worst = 0;
                for (int i = 0; i < d.hidden().length; i++) {
                    double keep = d.hidden()[i];
                    d.hidden()[i] = keep + eps;
                    double up = meanLoss(h, d);
                    d.hidden()[i] = keep - eps;
                    double down = meanLoss(h, d);
                    d.hidden()[i] = keep;
                    double numeric = (up - down) / (2 * eps);
                    worst = Math.max(worst, Math.abs(numeric - dHidden[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(dHidden[i])));
                    if (i / IN == 2) assertEquals(0, dHidden[i], "a masked row gets no gradient");
                }
                assertTrue(worst < 1e-6, name + " d/dhidden relative error " + worst);
                double[] p = h.parameters();
                worst = 0;
                for (int i = 0; i < p.length; i++) {
                    double keep = p[i];
                    p[i] = keep + eps;
                    double up = meanLoss(h, d);
                    p[i] = keep - eps;
                    double down = meanLoss(h, d);
                    p[i] = keep;
                    double numeric = (up - down) / (2 * eps);
                    worst = Math.max(worst, Math.abs(numeric - grad[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(grad[i])));
                }
                assertTrue(worst < 1e-6, name + " d/dparameters relative error " + worst);
            }));
        return tests;
    }

    @TestFactory
    List<DynamicTest> rowSumsAddUpToTheBatch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : Heads.names())
            tests.add(DynamicTest.dynamicTest(name, () -> {
                ModelShape shape = shapeFor(name);
                OutputHead h = head(name, shape);
                Data d = data(shape, 8);
                int[] group = new int[N];
                for (int i = 0; i < N; i++) group[i] = i % 3;
                EvalStats[] rows = h.evaluate(d.hidden(), N, d.tokens(), d.vectors(), d.mask(), group, 3);
                EvalStats all = h.evaluate(d.hidden(), N, d.tokens(), d.vectors(), d.mask(), null, 1)[0];
                EvalStats sum = rows[0].plus(rows[1]).plus(rows[2]);
                assertEquals(all.lossSum(), sum.lossSum(), 1e-12);
                assertEquals(all.count(), sum.count());
                assertEquals(all.correct(), sum.correct());
                assertEquals(all.total(), sum.total());
                assertEquals(all.expectedHits(), sum.expectedHits(), 1e-12);
                assertTrue(all.lossSum() > 0);
            }));
        return tests;
    }
}
