package org.seqlab.core;

/**
 * What a model of a given config can do beyond training and scoring, known before it is built:
 * the runner checks what an experiment asks for against it before any training starts, and the
 * testkit checks that every family's models do what their capabilities say.
 *
 * @param generates    can run step by step ({@link SequenceModel#generator()}): samples, music,
 *                     recursive forecasts. A bidirectional network cannot (it reads the future).
 * @param carriesState a batch marked {@link Batch#continues()} starts from the state the previous
 *                     batch left, in training and evaluation; without it every batch starts fresh
 */
public record Capabilities(boolean generates, boolean carriesState) {
    public static final Capabilities ALL = new Capabilities(true, true);
}
