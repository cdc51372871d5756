package org.seqlab.core;

/**
 * The data-dependent shape of a model: what it predicts and how wide one step is (vocabulary size
 * for {@link OutputKind#TOKENS}, number of units such as 88 keys for {@link OutputKind#FRAMES},
 * number of series for {@link OutputKind#VALUES}). Input and output width are the same: every
 * seqlab task predicts a later step of its input.
 */
public record ModelShape(OutputKind kind, int width) {
    public ModelShape {
        if (kind == null) throw new IllegalArgumentException("output kind is required");
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
    }

    public static ModelShape tokens(int vocabularySize) {
        return new ModelShape(OutputKind.TOKENS, vocabularySize);
    }

    public static ModelShape frames(int units) {
        return new ModelShape(OutputKind.FRAMES, units);
    }

    public static ModelShape values(int series) {
        return new ModelShape(OutputKind.VALUES, series);
    }
}
