package org.seqlab.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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

import java.util.List;

/**
 * Clipping and the optimiser step over the transformer's parameter tensors: ND4J's fused updater
 * per tensor, all moments in one flat state array (one file in a checkpoint). AdamW's decoupled
 * weight decay is applied here, to matrices only: biases and LayerNorm gains/offsets are not
 * decayed (ND4J has no AdamW updater, and SameDiff's regularisation cannot exclude them).
 */
final class TransformerOptimizer {
    private final OptimizerSpec spec;
    private final ClipSpec clip;
    private final IUpdater config;
    private final INDArray state;
    private final GradientUpdater<?>[] updaters;
    private final boolean[] decay;
    private int iteration;

    TransformerOptimizer(OptimizerSpec spec, ClipSpec clip, List<TransformerGraph.Param> params) {
        this.spec = spec;
        this.clip = clip;
        this.config = switch (spec.type()) {
            case SGD -> new Sgd(1e-3);
            case MOMENTUM -> new Nesterovs(1e-3, spec.beta1());
            case ADAGRAD -> new AdaGrad(1e-3, spec.epsilon());
            case RMSPROP -> new RmsProp(1e-3, spec.beta2(), spec.epsilon());
            case ADAM, ADAMW -> new Adam(1e-3, spec.beta1(), spec.beta2(), spec.epsilon());
        };
        long total = 0;
        for (TransformerGraph.Param p : params) total += config.stateSize(p.length());
        state = total == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, total);
        updaters = new GradientUpdater<?>[params.size()];
        decay = new boolean[params.size()];
        long offset = 0;
        for (int i = 0; i < params.size(); i++) {
            TransformerGraph.Param p = params.get(i);
            long size = config.stateSize(p.length());
            INDArray view = size == 0 ? null : state.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + size)).reshape(1, size);
            updaters[i] = config.instantiate(view, true);
            decay[i] = p.decay();
            offset += size;
        }
    }

    /** Clips the gradients as configured; returns their global L2 norm before clipping. */
    double clip(INDArray[] grads) {
        double sq = 0;
        for (INDArray g : grads) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        switch (clip.mode()) {
            case NONE -> { }
            case VALUE -> {
                for (INDArray g : grads) {
                    Transforms.min(g, clip.threshold(), false);
                    Transforms.max(g, -clip.threshold(), false);
                }
            }
            case NORM -> {
                if (norm > clip.threshold()) for (INDArray g : grads) g.muli(clip.threshold() / norm);
            }
        }
        return norm;
    }

    /** params -= update(grad) at learning rate {@code lr}; the gradients are consumed. */
    void step(List<INDArray> params, INDArray[] grads, double lr) {
        config.setLrAndSchedule(lr, null);
        for (int i = 0; i < grads.length; i++) {
            INDArray p = params.get(i);
            if (decay[i] && spec.weightDecay() > 0) p.muli(1 - lr * spec.weightDecay());
            updaters[i].applyUpdater(grads[i].reshape(1, grads[i].length()), iteration, 0);
            p.subi(grads[i]);
        }
        iteration++;
    }

    INDArray state() {
        return state;
    }

    int iteration() {
        return iteration;
    }

    void restore(INDArray savedState, int savedIteration) {
        if (state != null) state.assign(savedState.reshape(state.shape()));
        iteration = savedIteration;
    }
}
