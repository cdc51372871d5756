package org.seqlab.rnn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.OptimizerSpec;

/**
 * Clipping and the optimiser step over the flat parameter array. The update rules themselves are
 * ND4J's fused updaters (the baseline exists to show the network's math, not Adam's); AdamW's
 * decoupled weight decay is applied here because ND4J has no AdamW updater.
 */
final class ParameterUpdater {
    private final OptimizerSpec spec;
    private final ClipSpec clip;
    private final IUpdater config;
    private final INDArray state;
    private final GradientUpdater<?> updater;
    private int iteration;

    ParameterUpdater(OptimizerSpec spec, ClipSpec clip, Parameters p) {
        this.spec = spec;
        this.clip = clip;
        this.config = switch (spec.type()) {
            case SGD -> new Sgd(1e-3);
            case MOMENTUM -> new Nesterovs(1e-3, spec.beta1());
            case ADAGRAD -> new AdaGrad(1e-3, spec.epsilon());
            case RMSPROP -> new RmsProp(1e-3, spec.beta2(), spec.epsilon());
            case ADAM, ADAMW -> new Adam(1e-3, spec.beta1(), spec.beta2(), spec.epsilon());
        };
        long size = config.stateSize(p.count());
        state = size == 0 ? null : Nd4j.zeros(p.dtype, 1, size);
        updater = config.instantiate(state, true);
    }

    /** Clips {@code grad} as configured and returns its global L2 norm before clipping. */
    double clip(INDArray grad) {
        double norm = grad.norm2Number().doubleValue();
        switch (clip.mode()) {
            case NONE -> { }
            case VALUE -> {
                double c = clip.threshold();
                Transforms.min(grad, c, false);
                Transforms.max(grad, -c, false);
            }
            case NORM -> {
                if (norm > clip.threshold()) grad.muli(clip.threshold() / norm);
            }
        }
        return norm;
    }

    /** params -= update(grad) at learning rate {@code lr}; {@code grad} is consumed. */
    void step(INDArray params, INDArray grad, double lr) {
        if (spec.weightDecay() > 0) params.muli(1 - lr * spec.weightDecay());
        config.setLrAndSchedule(lr, null);
        updater.applyUpdater(grad.reshape(1, grad.length()), iteration++, 0);
        params.subi(grad);
    }

    /** Optimiser state (moments etc.) for checkpoints; null when the optimiser has none. */
    INDArray state() {
        return state;
    }

    int iteration() {
        return iteration;
    }

    void restore(INDArray savedState, int savedIteration) {
        if (state != null) state.assign(savedState);
        iteration = savedIteration;
    }
}
