package org.seqlab.core;

import java.util.Map;

/**
 * Optional capability: a model that can show its internal activations over time for a token
 * sequence (hidden units, gates), for the report's hidden-state pictures.
 */
public interface Inspectable {
    /**
     * Feeds {@code tokens} one at a time from a fresh state; returns, per named activation (e.g.
     * "layer 0 hidden", "layer 0 forget gate"), a [steps][units] matrix.
     */
    Map<String, float[][]> activations(int[] tokens);
}
