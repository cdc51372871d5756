package org.seqlab.experiments;

import org.seqlab.core.Results;
import org.apache.commons.math3.distribution.TDistribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Repeats of one model over several seeds: mean, sample standard deviation and the 95% confidence
 * interval of the mean (Student's t), so the report can say when two models are not told apart.
 */
record SeedSummary(String model, int n, double mean, double std, double low, double high) {

    static SeedSummary of(String model, List<Double> values) {
        int n = values.size();
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = 0;
        for (double v : values) var += (v - mean) * (v - mean);
        double std = n > 1 ? Math.sqrt(var / (n - 1)) : 0;
        double half = n > 1 ? new TDistribution(n - 1).inverseCumulativeProbability(0.975) * std / Math.sqrt(n) : 0;
        return new SeedSummary(model, n, mean, std, mean - half, mean + half);
    }

    boolean overlaps(SeedSummary o) {
        return low <= o.high && o.low <= high;
    }

    /** One summary per model (in order of first appearance) of a metric over its finished runs. */
    static List<SeedSummary> byModel(List<Results.Run> runs, Function<Results.RunMetrics, Double> metric) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (Results.Run r : runs) {
            Double v = r.metrics() == null ? null : metric.apply(r.metrics());
            values.computeIfAbsent(r.model(), k -> new ArrayList<>());
            if (v != null) values.get(r.model()).add(v);
        }
        List<SeedSummary> out = new ArrayList<>();
        for (var e : values.entrySet()) if (!e.getValue().isEmpty()) out.add(of(e.getKey(), e.getValue()));
        return out;
    }
}
