package org.seqlab.experiments.sweep;

import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Arbiter search space whose value is a set of config overrides: YAML path → value. Each path
 * gets one of Arbiter's leaf spaces (integer, continuous or log-uniform continuous, discrete).
 */
final class OverridesSpace implements ParameterSpace<Map<String, Object>> {
    private final Map<String, ParameterSpace<?>> leaves = new LinkedHashMap<>();

    OverridesSpace(Map<String, ParamSpec> specs) {
        for (Map.Entry<String, ParamSpec> e : specs.entrySet()) leaves.put(e.getKey(), leaf(e.getValue()));
    }

    private static ParameterSpace<?> leaf(ParamSpec p) {
        return switch (p.type()) {
            case INT -> new IntegerParameterSpace(p.min().intValue(), p.max().intValue());
            case CONTINUOUS -> p.log() ? new ContinuousParameterSpace(new LogUniformDistribution(p.min(), p.max()))
                    : new ContinuousParameterSpace(p.min(), p.max());
            case DISCRETE -> new DiscreteParameterSpace<>(p.values().toArray());
        };
    }

    @Override
    public Map<String, Object> getValue(double[] parameterValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterSpace<?>> e : leaves.entrySet()) out.put(e.getKey(), e.getValue().getValue(parameterValues));
        return out;
    }

    @Override
    public int numParameters() {
        int n = 0;
        for (ParameterSpace<?> p : leaves.values()) n += p.numParameters();
        return n;
    }

    @Override
    public List<ParameterSpace> collectLeaves() {
        return new ArrayList<>(leaves.values());
    }

    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        return new LinkedHashMap<>(leaves);
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("indices are set on the leaves");
    }
}
