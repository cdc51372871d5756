package org.seqlab.core.head;

/**
 * The products of a linear map y = x W + b over rows, on plain row-major arrays, written as loops
 * over contiguous rows that the JIT vectorises (no reductions in the inner loops).
 */
final class Dense {
    private Dense() {}

    /** y[n × out] = x[n × in] · w[in × out] + b[out]; {@code w} at {@code wOff}, {@code b} at {@code bOff} in their arrays. */
    static void forward(double[] x, int n, int in, double[] w, int wOff, double[] b, int bOff, int out, double[] y) {
        for (int i = 0; i < n; i++) {
            int yo = i * out, xo = i * in;
            System.arraycopy(b, bOff, y, yo, out);
            for (int k = 0; k < in; k++) {
                double xv = x[xo + k];
                if (xv == 0) continue;
                int wo = wOff + k * out;
                for (int j = 0; j < out; j++) y[yo + j] += xv * w[wo + j];
            }
        }
    }

    /** dw[in × out] = xᵀ · dy (overwritten), db[out] = Σ_rows dy; blocked over {@code in} so a block of dw stays in cache. */
    static void backwardWeights(double[] x, int n, int in, double[] dy, int out, double[] dw, int dwOff, double[] db, int dbOff) {
        java.util.Arrays.fill(dw, dwOff, dwOff + in * out, 0);
        java.util.Arrays.fill(db, dbOff, dbOff + out, 0);
        for (int i = 0; i < n; i++) {
            int yo = i * out;
            for (int j = 0; j < out; j++) db[dbOff + j] += dy[yo + j];
        }
        final int block = 16;
        for (int k0 = 0; k0 < in; k0 += block) {
            int k1 = Math.min(in, k0 + block);
            for (int i = 0; i < n; i++) {
                int yo = i * out, xo = i * in;
                for (int k = k0; k < k1; k++) {
                    double xv = x[xo + k];
                    if (xv == 0) continue;
                    int wo = dwOff + k * out;
                    for (int j = 0; j < out; j++) dw[wo + j] += xv * dy[yo + j];
                }
            }
        }
    }

    /** dx[n × in] = dy[n × out] · wᵀ, through {@code wT} ([out × in] scratch) so the inner loop runs along a row. */
    static void backwardInput(double[] dy, int n, int out, double[] w, int wOff, int in, double[] dx, double[] wT) {
        for (int k = 0; k < in; k++)
            for (int j = 0; j < out; j++) wT[j * in + k] = w[wOff + k * out + j];
        for (int i = 0; i < n; i++) {
            int xo = i * in, yo = i * out;
            java.util.Arrays.fill(dx, xo, xo + in, 0);
            for (int j = 0; j < out; j++) {
                double d = dy[yo + j];
                if (d == 0) continue;
                int to = j * in;
                for (int k = 0; k < in; k++) dx[xo + k] += d * wT[to + k];
            }
        }
    }
}
