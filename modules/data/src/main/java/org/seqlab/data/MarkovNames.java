package org.seqlab.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A "names" corpus from a known stochastic process, so the best possible loss is known exactly.
 *
 * <p>A random sparse order-k Markov chain over 'a'..'z' plus the end-of-name symbol '\n': the
 * state is the last k letters of the current name (padded with '\n' at its start); each state
 * allows a few successor letters with Dirichlet(1) weights and ends the name with a probability
 * drawn once per state. The chain is fully determined by (order, seed): each state's row is drawn
 * from a random generator seeded by the state itself.
 *
 * <p>In the stream {@code "\n" + name1 + "\n" + name2 + "\n" ...} every token after the first is
 * predicted from such a state, so the entropy rate per predicted token is
 * E[entropy of one name] / E[tokens of one name], computed exactly by propagating the
 * probability mass of the chain from the start state ({@link #entropyRate()}).
 */
public final class MarkovNames {
    public static final char END = '\n';
    private static final int LETTERS = 26;

    private final int order;
    private final long seed;
    private final Map<String, double[]> rows = new HashMap<>(); // state -> P(next) over 26 letters + end

    public MarkovNames(int order, long seed) {
        if (order < 1) throw new IllegalArgumentException("order must be >= 1");
        this.order = order;
        this.seed = seed;
    }

    public int order() {
        return order;
    }

    /** P(next symbol | state): index 0..25 = 'a'..'z', 26 = end of name. */
    double[] row(String state) {
        return rows.computeIfAbsent(state, s -> {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + s.hashCode());
            double[] p = new double[LETTERS + 1];
            boolean start = s.chars().allMatch(c -> c == END);
            int successors = 2 + r.nextInt(4);
            double sum = 0;
            for (int i = 0; i < successors; i++) {
                int c = r.nextInt(LETTERS);
                double w = -Math.log(1 - r.nextDouble()); // Exp(1) weights = Dirichlet(1) after normalising
                p[c] += w;
                sum += w;
            }
            double end = start ? 0 : 0.08 + 0.3 * r.nextDouble();
            for (int i = 0; i < LETTERS; i++) p[i] = p[i] / sum * (1 - end);
            p[LETTERS] = end;
            return p;
        });
    }

    private String startState() {
        return String.valueOf(END).repeat(order);
    }

    private static String advance(String state, char c) {
        return state.substring(1) + c;
    }

    private static char symbol(int i) {
        return i == LETTERS ? END : (char) ('a' + i);
    }

    /** Draws {@code count} names (without the end symbol) with a generator seeded by {@code sampleSeed}. */
    public List<String> sample(int count, long sampleSeed) {
        SplittableRandom r = new SplittableRandom(sampleSeed);
        List<String> names = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            StringBuilder name = new StringBuilder();
            String state = startState();
            while (true) {
                double[] p = row(state);
                double u = r.nextDouble(), cum = 0;
                int pick = LETTERS;
                for (int i = 0; i <= LETTERS; i++) {
                    cum += p[i];
                    if (u < cum && p[i] > 0) { pick = i; break; }
                }
                if (pick == LETTERS) break;
                char c = symbol(pick);
                name.append(c);
                state = advance(state, c);
            }
            names.add(name.toString());
        }
        return names;
    }

    /** The exact entropy rate in nats per predicted token (letters and end symbols). */
    public double entropyRate() {
        Map<String, Double> mass = new HashMap<>();
        mass.put(startState(), 1.0);
        double entropy = 0, tokens = 0;
        for (int step = 0; step < 100_000 && !mass.isEmpty(); step++) {
            Map<String, Double> next = new HashMap<>();
            double live = 0;
            for (Map.Entry<String, Double> e : mass.entrySet()) {
                double w = e.getValue();
                double[] p = row(e.getKey());
                tokens += w;
                for (double q : p) if (q > 0) entropy -= w * q * Math.log(q);
                for (int i = 0; i < LETTERS; i++)
                    if (p[i] > 0) next.merge(advance(e.getKey(), symbol(i)), w * p[i], Double::sum);
            }
            for (double w : next.values()) live += w;
            mass = live < 1e-15 ? Map.of() : next;
        }
        return entropy / tokens;
    }

    /**
     * The true process's negative log-likelihood of each name, its end included (one sum per name,
     * over name length + 1 predictions): the optimum's per-example test loss, which paired
     * comparisons set every model against.
     */
    public double[] trueLosses(List<String> names) {
        double[] out = new double[names.size()];
        for (int k = 0; k < out.length; k++) {
            String name = names.get(k), state = startState();
            double nll = 0;
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                nll -= Math.log(row(state)[c - 'a']);
                state = advance(state, c);
            }
            out[k] = nll - Math.log(row(state)[LETTERS]);
        }
        return out;
    }

    /** Mean negative log-likelihood per predicted token of the true process on these names. */
    public double trueLoss(List<String> names) {
        double nll = 0;
        long n = 0;
        for (String name : names) {
            String state = startState();
            for (int i = 0; i <= name.length(); i++) {
                double[] p = row(state);
                if (i == name.length()) {
                    nll -= Math.log(p[LETTERS]);
                } else {
                    char c = name.charAt(i);
                    nll -= Math.log(p[c - 'a']);
                    state = advance(state, c);
                }
                n++;
            }
        }
        return nll / n;
    }
}
