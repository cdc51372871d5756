package org.seqlab.core;

/**
 * How every family draws its starting weights ({@code training.init}); {@link InitialWeights}
 * carries it out, so two families of one architecture start from the same numbers. Per tensor type:
 * <ul>
 * <li>{@link #PYTORCH}: PyTorch's defaults for each layer type. Recurrent input and recurrent
 *     weights and both biases (input and hidden) U(±1/√hidden), as nn.RNN/LSTM/GRU; a cell with one
 *     bias gets the sum of the two draws; the forget-gate bias as drawn (no offset). Linear layers
 *     (projection, output layer, the transformer's linears) weights and bias U(±1/√fan_in), as
 *     nn.Linear. Embeddings N(0, 1), as nn.Embedding. LayerNorm gain 1, offset 0.</li>
 * <li>{@link #XAVIER}: Glorot normal, N(0, 2/(fan_in + fan_out)), for every matrix: input weights
 *     (fan_out is one gate's width, the hidden size), recurrent weights (hidden + hidden), embeddings,
 *     linear and output layers. Every bias 0, the LSTM forget-gate bias 1. LayerNorm gain 1, offset 0.</li>
 * <li>{@link #SMALL_OUTPUT} (default): {@link #PYTORCH} everywhere but the output layer, which is
 *     N(0, 0.02²) with a zero bias (nanoGPT's head), so the first loss is the uniform prediction's
 *     (ln V, or K·ln 2 for frames); a transformer's tied embedding is the head and starts so too.</li>
 * </ul>
 * A family's own option (e.g. {@code forget_bias}, {@code frame_prior}) is applied on top.
 */
public enum InitScheme {
    PYTORCH, XAVIER, SMALL_OUTPUT;

    /** The default of every family. */
    public static final InitScheme DEFAULT = SMALL_OUTPUT;

    /** Standard deviation of {@link #SMALL_OUTPUT}'s output layer. */
    public static final double SMALL_OUTPUT_STD = 0.02;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
