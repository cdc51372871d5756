package org.seqlab.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scratch space per (steps, batch) shape, for the recurrent families' step loops: allocating a few
 * MB in ND4J costs milliseconds, far more than the arithmetic done in them, so each shape's
 * buffers are made once. Training and evaluation shapes each keep their own; the least recently
 * used beyond four is dropped.
 */
public final class ShapeCache<B> {
    private final Map<Long, B> map = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, B> e) {
            return size() > 4;
        }
    };

    /** The buffers for this shape, made by {@code make} the first time. */
    public B get(int steps, int batch, Supplier<B> make) {
        return map.computeIfAbsent(((long) steps << 32) | batch, k -> make.get());
    }

    /** Every shape's buffers kept now. */
    public Iterable<B> values() {
        return map.values();
    }
}
