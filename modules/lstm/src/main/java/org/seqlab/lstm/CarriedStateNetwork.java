package org.seqlab.lstm;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.deeplearning4j.nn.api.FwdPassType;

import org.deeplearning4j.nn.layers.recurrent.LSTM;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * A MultiLayerNetwork whose gradient follows the state a batch starts from. In DL4J 1.0.0-M2.1,
 * {@code computeGradientAndScore} runs the forward pass from the stored (truncated-BPTT) state but
 * asks for the non-truncated backward pass, which every LSTM layer recomputes from a zero state:
 * the loss is that of the carried state, the gradient that of a fresh one (DL4J's own truncated
 * BPTT has the same flaw; its truncated backward path fails on the output layer). This is DL4J's
 * method with two changes: before the backward pass, each LSTM layer's forward pass for backprop is
 * computed from its {@code stateMap} (which {@link Dl4jLstmModel#trainStep} sets to the carried
 * state) and handed to the layer in the slot its backward pass reads first; and the score is the
 * output head's loss of the gradient's pass ({@link HeadLoss}), not a second, undropped projection.
 */
final class CarriedStateNetwork extends MultiLayerNetwork {
    CarriedStateNetwork(MultiLayerConfiguration conf) {
        super(conf);
    }

    @Override
    public void computeGradientAndScore() {
        boolean tbptt = layerWiseConfigurations.getBackpropType() == BackpropType.TruncatedBPTT;
        LayerWorkspaceMgr mgr;
        if (layerWiseConfigurations.getTrainingWorkspaceMode() == WorkspaceMode.NONE) {
            mgr = LayerWorkspaceMgr.noWorkspaces();
        } else {
            mgr = LayerWorkspaceMgr.builder()
                    .with(ArrayType.INPUT, WS_ALL_LAYERS_ACT, WS_ALL_LAYERS_ACT_CONFIG)
                    .with(ArrayType.ACTIVATIONS, WS_ALL_LAYERS_ACT, WS_ALL_LAYERS_ACT_CONFIG)
                    .with(ArrayType.FF_WORKING_MEM, WS_LAYER_WORKING_MEM, WS_LAYER_WORKING_MEM_CONFIG)
                    .with(ArrayType.BP_WORKING_MEM, WS_LAYER_WORKING_MEM, WS_LAYER_WORKING_MEM_CONFIG)
                    .with(ArrayType.RNN_FF_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM_CONFIG)
                    .with(ArrayType.RNN_BP_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM_CONFIG)
                    .build();
            if (layerWiseConfigurations.getCacheMode() != null)
                mgr.setWorkspace(ArrayType.FF_CACHE, WS_ALL_LAYERS_ACT, WS_ALL_LAYERS_ACT_CONFIG);
        }
        FwdPassType fwdType = tbptt ? FwdPassType.RNN_ACTIVATE_WITH_STORED_STATE : FwdPassType.STANDARD;
        synchronizeIterEpochCounts();
        try (MemoryWorkspace ws = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
            List<INDArray> activations = ffToLayerActivationsInWs(layers.length - 2, fwdType, tbptt, input, mask, null);
            INDArray inputToOutputLayer = activations.get(activations.size() - 1);
            if (layerWiseConfigurations.getInputPreProcess(layers.length - 1) != null)
                inputToOutputLayer = layerWiseConfigurations.getInputPreProcess(layers.length - 1)
                        .preProcess(inputToOutputLayer, getInputMiniBatchSize(), mgr);
            getOutputLayer().setInput(inputToOutputLayer, mgr);
            if (tbptt) cacheForwardPassesFromCarriedState();
            Pair<Gradient, INDArray> pair = calcBackpropGradients(null, true, false, false);
            this.gradient = pair == null ? null : pair.getFirst();
            // the score is the loss of the gradient's own pass, as DL4J's computeScore scales it (summed /
            // rows + the regularisation term): no second projection, and the output layer's dropout included
            if (!(getOutputLayer().conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer o
                    && o.getLossFn() instanceof HeadLoss h))
                throw new IllegalStateException("the output layer scores with " + getOutputLayer().conf().getLayer() + ", not an output head");
            score = h.gradientPassLossSum() / input.size(0) + calcRegularizationScore(true);
        }
        getOutputLayer().clearNoiseWeightParams();
    }

    private static final Method ACTIVATE = accessible(method());
    private static final Field CACHED = accessible(field());

    /**
     * Runs each LSTM layer's forward pass for backprop from the state the batch started from (its
     * {@code stateMap}) and leaves it in the layer's {@code cachedFwdPass}, which the layer's backward
     * pass takes instead of recomputing one from zeros (DL4J's LSTM keeps that slot for cache modes).
     */
    private void cacheForwardPassesFromCarriedState() {
        for (org.deeplearning4j.nn.api.Layer layer : layers) {
            if (!(layer instanceof LSTM lstm)) continue;
            Map<String, INDArray> start = lstm.rnnGetPreviousState();
            try {
                CACHED.set(lstm, null);
                Object fwd = ACTIVATE.invoke(lstm, true, start.get(LSTM.STATE_KEY_PREV_ACTIVATION), start.get(LSTM.STATE_KEY_PREV_MEMCELL),
                        true, LayerWorkspaceMgr.noWorkspaces());
                CACHED.set(lstm, fwd);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("DL4J's LSTM changed: " + e, e);
            }
        }
    }

    private static Method method() {
        try {
            return LSTM.class.getDeclaredMethod("activateHelper", boolean.class, INDArray.class, INDArray.class, boolean.class, LayerWorkspaceMgr.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("DL4J's LSTM has no activateHelper(boolean, INDArray, INDArray, boolean, LayerWorkspaceMgr)", e);
        }
    }

    private static Field field() {
        try {
            return LSTM.class.getDeclaredField("cachedFwdPass");
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's LSTM has no cachedFwdPass", e);
        }
    }

    private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }
}
