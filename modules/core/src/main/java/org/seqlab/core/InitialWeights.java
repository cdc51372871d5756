package org.seqlab.core;

import java.util.SplittableRandom;

/**
 * The starting weights of a network under an {@link InitScheme}, drawn from one seeded generator
 * in a canonical layout: matrices row-major [in, out], a gated cell's blocks in PyTorch's order
 * (LSTM i, f, g, o; GRU r, z, n) with separate input and hidden biases. A family asks for its
 * layers in network order (embedding, recurrent layers, projection, output) and maps each tensor
 * into its own layout, so two families of the same architecture, seed and scheme start identical.
 */
public final class InitialWeights {
    private final InitScheme scheme;
    private final SplittableRandom random;

    public InitialWeights(InitScheme scheme, long seed) {
        this.scheme = scheme == null ? InitScheme.DEFAULT : scheme;
        this.random = new SplittableRandom(seed);
    }

    public InitScheme scheme() {
        return scheme;
    }

    /** One recurrent layer: wx [in, gates·hidden], wh [hidden, gates·hidden], bx and bh [gates·hidden]. */
    public record Recurrent(double[] wx, double[] wh, double[] bx, double[] bh) {
        /** bx + bh, for a cell with a single bias. */
        public double[] bias() {
            double[] b = bx.clone();
            for (int i = 0; i < b.length; i++) b[i] += bh[i];
            return b;
        }
    }

    /**
     * @param forgetGate the forget gate's block (LSTM: 1), or -1 for a cell without one
     * @param forgetBias the forget-gate bias to start from (bx carries it, bh's block is 0), or null
     *                   for the scheme's (1 under xavier, as drawn otherwise)
     */
    public Recurrent recurrent(int in, int hidden, int gates, int forgetGate, Double forgetBias) {
        int width = gates * hidden;
        double[] wx, wh, bx, bh;
        if (scheme == InitScheme.XAVIER) {
            wx = normal(in * width, Math.sqrt(2.0 / (in + hidden)));
            wh = normal(hidden * width, Math.sqrt(2.0 / (hidden + hidden)));
            bx = new double[width];
            bh = new double[width];
            if (forgetGate >= 0 && forgetBias == null) forgetBias = 1.0;
        } else {                                       // pytorch and small_output: nn.RNN/LSTM/GRU's
            double k = 1 / Math.sqrt(hidden);
            wx = uniform(in * width, k);
            wh = uniform(hidden * width, k);
            bx = uniform(width, k);
            bh = uniform(width, k);
        }
        if (forgetGate >= 0 && forgetBias != null)
            for (int j = forgetGate * hidden; j < (forgetGate + 1) * hidden; j++) {
                bx[j] = forgetBias;
                bh[j] = 0;
            }
        return new Recurrent(wx, wh, bx, bh);
    }

    /** A linear layer inside the network (a projection): w [in, out], b [out]. */
    public record Linear(double[] w, double[] b) {}

    public Linear linear(int in, int out) {
        if (scheme == InitScheme.XAVIER) return new Linear(normal(in * out, Math.sqrt(2.0 / (in + out))), new double[out]);
        double k = 1 / Math.sqrt(in);                  // nn.Linear's
        return new Linear(uniform(in * out, k), uniform(out, k));
    }

    /** The output layer: w [in, out], b [out]. */
    public Linear output(int in, int out) {
        if (scheme == InitScheme.SMALL_OUTPUT) return new Linear(normal(in * out, InitScheme.SMALL_OUTPUT_STD), new double[out]);
        return linear(in, out);
    }

    /** An embedding table [rows, cols]. */
    public double[] embedding(int rows, int cols) {
        return normal(rows * cols, scheme == InitScheme.XAVIER ? Math.sqrt(2.0 / (rows + cols)) : 1.0);
    }

    private double[] normal(int n, double std) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = Gaussian.next(random) * std;
        return w;
    }

    private double[] uniform(int n, double bound) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = (2 * random.nextDouble() - 1) * bound;
        return w;
    }
}
