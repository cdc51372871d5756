package org.seqlab.core;

/**
 * Optimiser choice shared by every family (each maps it to its own implementation).
 *
 * @param type        sgd, momentum, adagrad, rmsprop, adam or adamw
 * @param beta1       Adam first-moment decay; also the momentum coefficient for "momentum"
 * @param beta2       Adam second-moment decay; RMSProp decay
 * @param epsilon     added to denominators
 * @param weightDecay decoupled weight decay (AdamW)
 */
public record OptimizerSpec(Type type, Double beta1, Double beta2, Double epsilon, Double weightDecay) {
    public enum Type { SGD, MOMENTUM, ADAGRAD, RMSPROP, ADAM, ADAMW }

    public static final OptimizerSpec DEFAULT = new OptimizerSpec(Type.ADAM, null, null, null, null);

    public OptimizerSpec {
        if (type == null) type = Type.ADAM;
        if (beta1 == null) beta1 = 0.9;
        if (beta2 == null) beta2 = type == Type.RMSPROP ? 0.95 : 0.999;
        if (epsilon == null) epsilon = 1e-8;
        if (weightDecay == null) weightDecay = type == Type.ADAMW ? 0.01 : 0.0;
        Check.range("beta1", beta1, 0, 1, false);
        Check.range("beta2", beta2, 0, 1, false);
        Check.positive("epsilon", epsilon);
        Check.nonNegative("weight_decay", weightDecay);
    }
}
