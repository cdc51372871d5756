package org.seqlab.lstm;

import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.Check;
import org.seqlab.core.FieldException;
import org.seqlab.core.ModelConfig;

import java.util.List;

/**
 * Options of {@code family: dl4j-lstm}, Deeplearning4j's LSTM layers in a MultiLayerNetwork.
 *
 * @param name          run label in reports (default "dl4j-lstm")
 * @param hidden        units of every LSTM layer (ignored when hidden_sizes is given)
 * @param hiddenSizes   units per layer, e.g. [256, 128]; sets the depth
 * @param layers        LSTM layers when hidden_sizes is not given
 * @param dropout       inverted dropout on every LSTM layer's output during training (drop
 *                      probability): between stacked layers and before the projection or output
 *                      layer, as handrolled; a handrolled twin of the same seed drops the same units
 * @param weightNoise   std of additive Gaussian weight noise during training (0 = off)
 * @param l2            L2 penalty on the weight matrices, (l2 / 2) * |W|^2 added to the objective (0 = off);
 *                      decoupled weight decay is the optimiser's (training.optimizer.weight_decay)
 * @param precision     float (default) or double (for parity checks against a float64 reference)
 * @param input         onehot, or embedding (a learned embedding_size vector per token)
 * @param embeddingSize width of the embedding when input is embedding
 * @param projection    width of a linear projection between the last LSTM and the output (0 = none)
 * @param bidirectional frame models only (the future is visible): never for language models
 * @param tbptt         truncated BPTT forward length inside each batch (0 = full BPTT)
 * @param tbpttBackward truncated BPTT backward length (default = tbptt)
 * @param helper        fused: each LSTM layer's forward and backward passes by seqlab's fused CPU
 *                      helper (outputs and gradients equal DL4J's); builtin: DL4J's own per-step
 *                      path (default: fused on a CPU backend, builtin elsewhere)
 * @param output        the output head ({@link org.seqlab.core.head.Heads}): softmax, bernoulli, gaussian
 *                      or nade; unset, the data's own (softmax for tokens, bernoulli for frames,
 *                      gaussian for values). Its projection is the network's RnnOutputLayer (identity
 *                      activation, scored by {@link HeadLoss}); a NADE's own tensors join the one optimiser
 * @param nadeHidden    output: nade only: units of the NADE layer (default 150)
 */
public record Dl4jLstmConfig(String name, Integer hidden, List<Integer> hiddenSizes, Integer layers, Double dropout,
                             Double weightNoise, Double l2, Precision precision, Input input, Integer embeddingSize,
                             Integer projection, Boolean bidirectional, Integer tbptt, Integer tbpttBackward,
                             Helper helper, String output, Integer nadeHidden)
        implements ModelConfig {
    public enum Input { ONEHOT, EMBEDDING }

    public enum Precision { FLOAT, DOUBLE }

    public enum Helper { FUSED, BUILTIN }

    public Dl4jLstmConfig {
        if (name == null) name = "dl4j-lstm";
        if (hidden == null) hidden = 128;
        if (layers == null) layers = hiddenSizes == null ? 1 : hiddenSizes.size();
        if (dropout == null) dropout = 0.0;
        if (weightNoise == null) weightNoise = 0.0;
        if (l2 == null) l2 = 0.0;
        if (precision == null) precision = Precision.FLOAT;
        if (input == null) input = Input.ONEHOT;
        if (embeddingSize == null) embeddingSize = 64;
        if (projection == null) projection = 0;
        if (bidirectional == null) bidirectional = false;
        if (tbptt == null) tbptt = 0;
        if (tbpttBackward == null) tbpttBackward = tbptt;
        Check.atLeast("hidden", hidden, 1);
        Check.atLeast("layers", layers, 1);
        if (hiddenSizes != null) {
            if (hiddenSizes.isEmpty()) throw new FieldException("hidden_sizes", "list at least one layer size");
            if (hiddenSizes.size() != layers)
                throw new FieldException("hidden_sizes", "has " + hiddenSizes.size() + " sizes but layers is " + layers);
            for (int h : hiddenSizes) Check.atLeast("hidden_sizes", h, 1);
            hiddenSizes = List.copyOf(hiddenSizes);
        }
        Check.range("dropout", dropout, 0, 1, false);
        Check.nonNegative("weight_noise", weightNoise);
        Check.nonNegative("l2", l2);
        Check.atLeast("embedding_size", embeddingSize, 1);
        Check.atLeast("projection", projection, 0);
        Check.atLeast("tbptt", tbptt, 0);
        Check.atLeast("tbptt_backward", tbpttBackward, 0);
        if (tbpttBackward > tbptt) throw new FieldException("tbptt_backward", "must be <= tbptt (" + tbptt + "), got " + tbpttBackward);
        if (tbptt > 0 && tbpttBackward == 0) throw new FieldException("tbptt_backward", "must be >= 1 when tbptt is on");
        if (bidirectional && tbptt > 0) throw new FieldException("tbptt", "truncated BPTT needs a forward-only network (bidirectional is on)");
        new org.seqlab.core.head.Heads.Spec(output, nadeHidden);           // names the field of a bad value
        if ("nade".equals(output) && nadeHidden == null) nadeHidden = org.seqlab.core.head.Heads.DEFAULT_NADE_HIDDEN;
    }

    /** Every option but the head's: the data's own head. */
    public Dl4jLstmConfig(String name, Integer hidden, List<Integer> hiddenSizes, Integer layers, Double dropout,
                          Double weightNoise, Double l2, Precision precision, Input input, Integer embeddingSize,
                          Integer projection, Boolean bidirectional, Integer tbptt, Integer tbpttBackward, Helper helper) {
        this(name, hidden, hiddenSizes, layers, dropout, weightNoise, l2, precision, input, embeddingSize, projection,
                bidirectional, tbptt, tbpttBackward, helper, null, null);
    }

    /** The output head's options. */
    public org.seqlab.core.head.Heads.Spec head() {
        return new org.seqlab.core.head.Heads.Spec(output, nadeHidden);
    }

    /** Width of the states the head reads: the projection's, else the last LSTM layer's (both directions). */
    public int topWidth() {
        return projection > 0 ? projection : size(layers - 1) * (bidirectional ? 2 : 1);
    }

    /** The helper asked for, else fused on a CPU backend and builtin elsewhere (decided here, not in the YAML's defaults). */
    public Helper helperOnThisBackend() {
        return helper != null ? helper : Nd4j.getEnvironment().isCPU() ? Helper.FUSED : Helper.BUILTIN;
    }

    /** Units of LSTM layer {@code i}. */
    public int size(int i) {
        return hiddenSizes != null ? hiddenSizes.get(i) : hidden;
    }

    @Override
    public java.util.Map<String, Object> settings() {
        java.util.Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("cell", Boolean.TRUE.equals(bidirectional) ? "bidirectional lstm" : "lstm");
        s.put("hidden", hiddenSizes != null ? hiddenSizes.toString() : hidden);
        s.put("layers", layers);
        s.put("dropout", dropout);
        if (input == Input.EMBEDDING) s.put("embedding", embeddingSize);
        if (output != null) s.put("output", output);
        if (nadeHidden != null) s.put("nade_hidden", nadeHidden);
        return s;
    }
}
