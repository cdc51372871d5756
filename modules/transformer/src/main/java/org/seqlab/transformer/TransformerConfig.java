package org.seqlab.transformer;

import org.seqlab.core.Check;
import org.seqlab.core.FieldException;
import org.seqlab.core.ModelConfig;

/**
 * Options of the SameDiff transformer ({@code family: transformer}): a decoder-only, pre-LayerNorm
 * GPT. Defaults are nanoGPT's "baby" character model.
 *
 * @param name          run label in reports (default "transformer")
 * @param layers        transformer blocks
 * @param heads         attention heads per block; must divide {@code embedding}
 * @param embedding     width of the residual stream
 * @param context       longest sequence the model attends over; longer inputs slide
 * @param mlpRatio      MLP hidden width as a multiple of {@code embedding}
 * @param dropout       drop probability on the embedding, attention output and MLP output (training only)
 * @param attentionDropout drop probability on the attention weights (default: {@code dropout})
 * @param positions     learned (absolute position embeddings, as GPT-2) or alibi (a per-head linear
 *                      distance penalty on the attention scores: no position parameters, and it
 *                      degrades gracefully past the training length)
 * @param tieEmbeddings the output head reuses the input embedding matrix (transposed)
 * @param microBatch    rows per forward/backward pass; a batch is processed in pieces of this many
 *                      rows with the gradients summed, so a large batch fits in memory (default: all rows)
 * @param init          start from the weights of a saved transformer checkpoint (fine-tuning)
 * @param framePrior    frame models only: initial probability of each unit being on (output bias)
 * @param weightInit    unset (default): training.init, shared by every family; gpt2: GPT-2's
 *                      initialisation instead (N(0, 0.02), residual projections scaled by depth,
 *                      zero biases), a transformer-only scheme; pytorch is training.init's (accepted
 *                      as checkpoints before init schemes recorded it)
 * @param precision     float (default) or double (for parity checks against a float64 reference)
 * @param engine        fused: forward and backward passes written out on ND4J with preallocated
 *                      buffers (the same network, weights and results as the graph; 1.6x its
 *                      speed at bench transformer's shape here); samediff: the SameDiff graph.
 *                      Default: fused on a CPU backend, samediff elsewhere
 * @param output        the output head ({@link org.seqlab.core.head.Heads}): softmax, bernoulli, gaussian
 *                      or nade; unset, the data's own. The final projection (head.w, head.b) is the
 *                      head's q; the fused engine trains through the head, the SameDiff graph keeps its
 *                      own softmax, sigmoid and squared error as the reference (nade: fused engine only,
 *                      and no tied embeddings: its projection is keys + nade_hidden wide)
 * @param nadeHidden    output: nade only: units of the NADE layer (default 150)
 */
public record TransformerConfig(String name, Integer layers, Integer heads, Integer embedding, Integer context,
                                Integer mlpRatio, Double dropout, Double attentionDropout, Positions positions,
                                Boolean tieEmbeddings, Integer microBatch, Init init, Double framePrior,
                                WeightInit weightInit, Precision precision, Engine engine, String output, Integer nadeHidden)
        implements ModelConfig {
    public enum Positions { LEARNED, ALIBI }

    public enum WeightInit { PYTORCH, GPT2 }

    public enum Precision { FLOAT, DOUBLE }

    public enum Engine { FUSED, SAMEDIFF }

    /** @param checkpoint a checkpoint directory written by an earlier run (its {@code checkpoints/NAME}) */
    public record Init(String checkpoint) {
        public Init {
            if (checkpoint == null || checkpoint.isBlank())
                throw new FieldException("init.checkpoint", "is required: the checkpoint directory to start from");
        }
    }

    public TransformerConfig {
        if (name == null) name = "transformer";
        if (layers == null) layers = 4;
        if (heads == null) heads = 4;
        if (embedding == null) embedding = 128;
        if (context == null) context = 64;
        if (mlpRatio == null) mlpRatio = 4;
        if (dropout == null) dropout = 0.0;
        if (attentionDropout == null) attentionDropout = dropout;
        if (positions == null) positions = Positions.LEARNED;
        if (tieEmbeddings == null) tieEmbeddings = false;
        if (precision == null) precision = Precision.FLOAT;
        Check.atLeast("layers", layers, 1);
        Check.atLeast("heads", heads, 1);
        Check.atLeast("embedding", embedding, 1);
        Check.atLeast("context", context, 1);
        Check.atLeast("mlp_ratio", mlpRatio, 1);
        Check.range("dropout", dropout, 0, 1, false);
        Check.range("attention_dropout", attentionDropout, 0, 1, false);
        if (embedding % heads != 0)
            throw new FieldException("heads", "must divide embedding (" + embedding + "), got " + heads
                    + " (e.g. heads: " + largestDivisorAtMost(embedding, heads) + ")");
        if (microBatch != null) Check.atLeast("micro_batch", microBatch, 1);
        org.seqlab.core.FramePrior.check(framePrior);
        new org.seqlab.core.head.Heads.Spec(output, nadeHidden);           // names the field of a bad value
        if ("nade".equals(output) && nadeHidden == null) nadeHidden = org.seqlab.core.head.Heads.DEFAULT_NADE_HIDDEN;
        if ("nade".equals(output) && Boolean.TRUE.equals(tieEmbeddings))
            throw new FieldException("tie_embeddings", "cannot be used with output: nade (its projection is keys + nade_hidden wide, the embedding keys wide)");
        if ("nade".equals(output) && engine == Engine.SAMEDIFF)
            throw new FieldException("engine", "samediff cannot train output: nade (the graph keeps only the softmax, sigmoid and squared error); use engine: fused");
    }

    /** Every option but the head's: the data's own head. */
    public TransformerConfig(String name, Integer layers, Integer heads, Integer embedding, Integer context,
                             Integer mlpRatio, Double dropout, Double attentionDropout, Positions positions,
                             Boolean tieEmbeddings, Integer microBatch, Init init, Double framePrior,
                             WeightInit weightInit, Precision precision, Engine engine) {
        this(name, layers, heads, embedding, context, mlpRatio, dropout, attentionDropout, positions, tieEmbeddings,
                microBatch, init, framePrior, weightInit, precision, engine, null, null);
    }

    /** The output head's options. */
    public org.seqlab.core.head.Heads.Spec head() {
        return new org.seqlab.core.head.Heads.Spec(output, nadeHidden);
    }

    public static TransformerConfig of(String name, int layers, int heads, int embedding, int context) {
        return new TransformerConfig(name, layers, heads, embedding, context, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** This configuration with another engine. */
    public TransformerConfig withEngine(Engine e) {
        return new TransformerConfig(name, layers, heads, embedding, context, mlpRatio, dropout, attentionDropout, positions,
                tieEmbeddings, microBatch, init, framePrior, weightInit, precision, e, output, nadeHidden);
    }

    /** The engine asked for, else fused on a CPU backend and samediff elsewhere (decided here, not in the YAML's defaults). */
    public Engine engineOnThisBackend() {
        return engine != null ? engine : org.nd4j.linalg.factory.Nd4j.getEnvironment().isCPU() ? Engine.FUSED : Engine.SAMEDIFF;
    }

    /** The options that shape the weights: a checkpoint can seed a model only when all of them agree. */
    java.util.Map<String, Object> architecture() {
        java.util.Map<String, Object> a = new java.util.LinkedHashMap<>();
        a.put("layers", layers);
        a.put("heads", heads);
        a.put("embedding", embedding);
        a.put("context", context);
        a.put("mlp_ratio", mlpRatio);
        a.put("positions", positions);
        a.put("tie_embeddings", tieEmbeddings);
        a.put("output", output);
        a.put("nade_hidden", nadeHidden);
        return a;
    }

    /** Width of one attention head. */
    int headSize() {
        return embedding / heads;
    }

    @Override
    public String initCheckpoint() {
        return init == null ? null : init.checkpoint();
    }

    private static int largestDivisorAtMost(int n, int k) {
        for (int d = Math.min(n, k); d > 1; d--) if (n % d == 0) return d;
        return 1;
    }

    @Override
    public java.util.Map<String, Object> settings() {
        java.util.Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("layers", layers);
        s.put("heads", heads);
        s.put("embedding", embedding);
        s.put("context", context);
        s.put("dropout", dropout);
        s.put("positions", positions.name().toLowerCase(java.util.Locale.ROOT));
        if (output != null) s.put("output", output);
        if (nadeHidden != null) s.put("nade_hidden", nadeHidden);
        return s;
    }
}
