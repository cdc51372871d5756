package org.seqlab.lstm;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.seqlab.core.ClipSpec;

/**
 * Makes DL4J train on the same objective and clipping as every other seqlab family. DL4J's RNN
 * loss is summed over time steps and averaged over sequences; the gradient is rescaled here to the
 * mean per real (unmasked) step, then clipped by global norm (DL4J itself only clips per layer) or
 * element-wise. It also collects the loss of each (truncated BPTT) segment from the score.
 */
final class GradientControl extends BaseTrainingListener {
    private final ClipSpec clip;
    double lossSum;
    long sequences;   // rows of the batch being fitted, set before fit

    GradientControl(ClipSpec clip) {
        this.clip = clip;
    }

    void reset(long rows) {
        lossSum = 0;
        sequences = rows;
    }

    /** Real steps of the segment being fitted: the labels mask sum, or every step. */
    private static long segmentSteps(MultiLayerNetwork net) {
        INDArray mask = net.getOutputLayer().getMaskArray();
        INDArray labels = net.getLabels();
        if (mask != null) return (long) mask.sumNumber().doubleValue();
        return labels.size(0) * (labels.rank() == 3 ? labels.size(2) : 1);
    }

    @Override
    public void onGradientCalculation(Model model) {
        MultiLayerNetwork net = (MultiLayerNetwork) model;
        long n = segmentSteps(net);
        INDArray g = net.getFlattenedGradients();
        if (n > 0) g.muli((double) sequences / n);               // per-sequence mean -> per-step mean
        switch (clip.mode()) {
            case NONE -> { }
            case VALUE -> {
                Transforms.min(g, clip.threshold(), false);
                Transforms.max(g, -clip.threshold(), false);
            }
            case NORM -> {
                double norm = g.norm2Number().doubleValue();
                if (norm > clip.threshold()) g.muli(clip.threshold() / norm);
            }
        }
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        // score = (summed loss + regularisation) / sequences, computed before the update
        lossSum += model.score() * sequences - ((MultiLayerNetwork) model).calcRegularizationScore(true);
    }
}
