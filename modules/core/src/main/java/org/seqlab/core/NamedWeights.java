package org.seqlab.core;

import java.util.Map;

/**
 * Optional capability: a model that can list its weights by name, row-major, in double precision,
 * so that a reference implementation (the parity bench's PyTorch twins) can start from exactly
 * the same numbers.
 */
public interface NamedWeights {
    /** One weight tensor: its shape as the family stores it and its values in row-major order. */
    record Tensor(long[] shape, double[] values) {}

    /** Every trainable tensor, in the family's own names and layout (insertion order). */
    Map<String, Tensor> namedWeights();
}
