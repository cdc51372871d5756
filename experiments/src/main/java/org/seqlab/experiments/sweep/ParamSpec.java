package org.seqlab.experiments.sweep;

import org.seqlab.core.FieldException;

import java.util.List;

/**
 * One searched parameter of a sweep, addressed by its dotted YAML path (the map key).
 *
 * @param type   int (min..max inclusive), continuous (min..max, log: true samples log-uniformly) or
 *               discrete (one of values)
 * @param min    lower bound of an int or continuous parameter
 * @param max    upper bound of an int or continuous parameter
 * @param log    sample a continuous parameter log-uniformly (default false; needs min > 0)
 * @param values the choices of a discrete parameter (numbers, strings or booleans)
 */
public record ParamSpec(Type type, Double min, Double max, Boolean log, List<Object> values) {
    public enum Type { INT, CONTINUOUS, DISCRETE }

    public ParamSpec {
        if (type == null) throw new FieldException("type", "is required: int, continuous or discrete");
        if (log == null) log = false;
        switch (type) {
            case INT, CONTINUOUS -> {
                if (min == null || max == null) throw new FieldException(min == null ? "min" : "max", "is required for type " + type.name().toLowerCase());
                if (!(max > min)) throw new FieldException("max", "must be > min (" + min + "), got " + max);
                if (log && !(min > 0)) throw new FieldException("min", "must be > 0 for a log scale, got " + min);
                if (type == Type.INT && (min != Math.rint(min) || max != Math.rint(max)))
                    throw new FieldException("min", "int parameters need whole-number bounds");
                if (values != null) throw new FieldException("values", "only discrete parameters take values");
            }
            case DISCRETE -> {
                if (values == null || values.isEmpty()) throw new FieldException("values", "list at least one value");
                if (min != null || max != null) throw new FieldException(min != null ? "min" : "max", "discrete parameters take values, not bounds");
                values = List.copyOf(values);
            }
        }
    }

    /** The values that bound what this parameter can take (both bounds, or every discrete value): what a sweep is checked with before it runs. */
    public List<Object> extremes() {
        return switch (type) {
            case INT -> List.of(min.intValue(), max.intValue());
            case CONTINUOUS -> List.of(min, max);
            case DISCRETE -> values;
        };
    }
}
