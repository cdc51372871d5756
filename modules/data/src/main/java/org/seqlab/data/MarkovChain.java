package org.seqlab.data;

import java.util.SplittableRandom;

/**
 * A continuous stream from a random order-k Markov chain over {@code alphabet} letters, so the best
 * possible loss is known exactly.
 *
 * <p>Each state (the last k symbols) favours a few successors with Dirichlet(1) weights and gives
 * every symbol a small floor probability; the floor makes the chain irreducible and aperiodic, so
 * it has one stationary distribution pi over states, found by power iteration. The entropy rate
 * is then sum over states of pi(s) times the entropy of the next symbol given s: the loss per
 * token of the true model in the long run, which no model beats on average.
 */
public final class MarkovChain {
    private static final double FLOOR = 0.05;
    private final int order, alphabet, states;
    private final double[][] rows;   // state (base-alphabet number of the last k symbols) -> P(next symbol)

    public MarkovChain(int order, int alphabet, long seed) {
        if (order < 1 || alphabet < 2 || alphabet > 26) throw new IllegalArgumentException("order >= 1 and 2 <= alphabet <= 26");
        this.order = order;
        this.alphabet = alphabet;
        this.states = (int) Math.pow(alphabet, order);
        this.rows = new double[states][];
        SplittableRandom r = new SplittableRandom(seed);
        for (int s = 0; s < states; s++) {
            double[] w = new double[alphabet];
            double sum = 0;
            int favoured = 1 + r.nextInt(Math.min(3, alphabet));
            for (int i = 0; i < favoured; i++) {
                double x = -Math.log(1 - r.nextDouble());  // Exp(1): Dirichlet(1) after normalising
                w[r.nextInt(alphabet)] += x;
                sum += x;
            }
            for (int c = 0; c < alphabet; c++) w[c] = (1 - FLOOR) * w[c] / sum + FLOOR / alphabet;
            rows[s] = w;
        }
    }

    /** P(next symbol | state); state = the last k symbols as a base-alphabet number. */
    double[] row(int state) {
        return rows[state];
    }

    int states() {
        return states;
    }

    private int next(int state, int symbol) {
        return (state * alphabet + symbol) % states;
    }

    /** {@code length} symbols ('a', 'b', ...) after a burn-in, drawn with a generator seeded by {@code sampleSeed}. */
    public String sample(int length, long sampleSeed) {
        SplittableRandom r = new SplittableRandom(sampleSeed);
        StringBuilder sb = new StringBuilder(length);
        int state = r.nextInt(states);
        for (int i = -10 * states - 100; i < length; i++) {
            double[] p = rows[state];
            double u = r.nextDouble(), cum = 0;
            int pick = alphabet - 1;
            for (int c = 0; c < alphabet; c++) {
                cum += p[c];
                if (u < cum) { pick = c; break; }
            }
            if (i >= 0) sb.append((char) ('a' + pick));
            state = next(state, pick);
        }
        return sb.toString();
    }

    /** The stationary distribution over states (power iteration to double precision). */
    double[] stationary() {
        double[] pi = new double[states];
        java.util.Arrays.fill(pi, 1.0 / states);
        for (int it = 0; it < 1_000_000; it++) {
            double[] next = new double[states];
            for (int s = 0; s < states; s++)
                for (int c = 0; c < alphabet; c++) next[next(s, c)] += pi[s] * rows[s][c];
            double diff = 0;
            for (int s = 0; s < states; s++) diff += Math.abs(next[s] - pi[s]);
            pi = next;
            if (diff < 1e-15) break;
        }
        return pi;
    }

    /** The exact entropy rate in nats per token. */
    public double entropyRate() {
        double[] pi = stationary();
        double h = 0;
        for (int s = 0; s < states; s++)
            for (double q : rows[s]) h -= pi[s] * q * Math.log(q);
        return h;
    }

    /** Mean negative log-likelihood of the true chain predicting {@code text[from..to)} (each from its k predecessors). */
    public double trueLoss(String text, int from, int to) {
        double nll = 0;
        long n = 0;
        for (int i = Math.max(from, order); i < to; i++) {
            int state = 0;
            for (int j = i - order; j < i; j++) state = state * alphabet + (text.charAt(j) - 'a');
            nll -= Math.log(rows[state][text.charAt(i) - 'a']);
            n++;
        }
        return nll / n;
    }
}
