package org.seqlab.core;

/**
 * Optimiser choice shared by every family; one implementation ({@code seqlab-optim}) carries it
 * out for all of them, with PyTorch's update rules.
 *
 * @param type         sgd, momentum (heavy ball, as torch.optim.SGD with momentum), adagrad,
 *                     rmsprop, adam or adamw
 * @param beta1        Adam first-moment decay; also the momentum coefficient for "momentum"
 * @param beta2        Adam second-moment decay; RMSProp's smoothing constant (alpha)
 * @param epsilon      added to denominators
 * @param weightDecay  decoupled weight decay for every type (p -= lr * weight_decay * p before the
 *                     update, as AdamW); 0.01 for adamw, else 0 unless given
 * @param decayParams  which tensors decay: matrices (weight matrices and embeddings; biases,
 *                     LayerNorm gains and offsets do not, as nanoGPT) or all
 * @param ema          keep an exponential moving average of the weights beside them, updated after
 *                     every step ({@code avg = ema * avg + (1 - ema) * w}, starting from the initial
 *                     weights), and validate, checkpoint and score that average instead of the last
 *                     weights (Polyak averaging); 0.999 averages over about the last thousand steps.
 *                     0 = off (the default)
 */
public record OptimizerSpec(Type type, Double beta1, Double beta2, Double epsilon, Double weightDecay, DecayParams decayParams,
                            Double ema) {
    public enum Type { SGD, MOMENTUM, ADAGRAD, RMSPROP, ADAM, ADAMW }

    public enum DecayParams { MATRICES, ALL }

    public static final OptimizerSpec DEFAULT = of(Type.ADAM);

    public OptimizerSpec {
        if (type == null) type = Type.ADAM;
        if (beta1 == null) beta1 = 0.9;
        if (beta2 == null) beta2 = type == Type.RMSPROP ? 0.95 : 0.999;
        if (epsilon == null) epsilon = 1e-8;
        if (weightDecay == null) weightDecay = type == Type.ADAMW ? 0.01 : 0.0;
        if (decayParams == null) decayParams = DecayParams.MATRICES;
        if (ema == null) ema = 0.0;
        Check.range("beta1", beta1, 0, 1, false);
        Check.range("beta2", beta2, 0, 1, false);
        Check.positive("epsilon", epsilon);
        Check.nonNegative("weight_decay", weightDecay);
        Check.range("ema", ema, 0, 1, false);
    }

    /** {@code type} with every other setting at its default. */
    public static OptimizerSpec of(Type type) {
        return new OptimizerSpec(type, null, null, null, null, null, null);
    }

    /** This optimiser with decoupled weight decay {@code w}. */
    public OptimizerSpec withWeightDecay(double w) {
        return new OptimizerSpec(type, beta1, beta2, epsilon, w, decayParams, ema);
    }

    /** This optimiser keeping a moving average of the weights with decay {@code e} (0 = none). */
    public OptimizerSpec withEma(double e) {
        return new OptimizerSpec(type, beta1, beta2, epsilon, weightDecay, decayParams, e);
    }
}
