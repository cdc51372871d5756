package org.seqlab.lstm;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.recurrent.BidirectionalLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.InitialWeights;

import java.util.Map;

/**
 * Writes {@link InitialWeights}' canonical draws into a fresh DL4J network, replacing DL4J's own
 * initialisation, layer by layer in network order: the embedding, each LSTM (a bidirectional one
 * forward then backward), the projection, the output layer. The same seed and scheme thus give
 * this family the weights the hand-rolled LSTM starts from.
 */
final class StartingWeights {
    /** DL4J's LSTM gate blocks are g (block input), f, o, i; block j of DL4J's is canonical block ORDER[j] (i, f, g, o). */
    private static final int[] ORDER = {2, 1, 3, 0};

    private StartingWeights() {}

    /**
     * Draws every layer's weights; the output layer's are the {@code head}'s projection ({@code Why},
     * {@code by}), drawn by the head, whose own tensors (a NADE's) it draws last and keeps.
     */
    static void write(MultiLayerNetwork net, Dl4jLstmConfig c, InitialWeights init, org.seqlab.core.head.OutputHead head) {
        int lstm = 0;
        for (Layer layer : net.getLayers()) {
            Map<String, INDArray> p = layer.paramTable();
            var conf = layer.conf().getLayer();
            if (conf instanceof org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer e) {
                set(p.get("W"), init.embedding((int) e.getNIn(), (int) e.getNOut()));
                if (p.containsKey("b")) p.get("b").assign(0);
            } else if (layer instanceof BidirectionalLayer || conf instanceof org.deeplearning4j.nn.conf.layers.LSTM) {
                int h = c.size(lstm++);
                for (String dir : layer instanceof BidirectionalLayer ? new String[]{"f", "b"} : new String[]{""}) {
                    INDArray w = p.get(dir + "W");
                    InitialWeights.Recurrent r = init.recurrent((int) w.size(0), h, 4, 1, null);
                    set(w, gates(r.wx(), (int) w.size(0), h));
                    set(p.get(dir + "RW"), gates(r.wh(), h, h));
                    set(p.get(dir + "b"), gates(r.bias(), 1, h));
                }
            } else if (conf instanceof org.deeplearning4j.nn.conf.layers.RnnOutputLayer o) {
                int in = (int) o.getNIn(), width = (int) o.getNOut();
                if (in != head.inputWidth() || width != head.projectionWidth())
                    throw new IllegalStateException("output layer " + in + " -> " + width + " is not the head's projection "
                            + head.inputWidth() + " -> " + head.projectionWidth());
                head.initialise(init, null);            // as init.output(in, width) for a linear head
                double[] hp = head.parameters();
                set(p.get("W"), java.util.Arrays.copyOfRange(hp, 0, in * width));
                set(p.get("b"), java.util.Arrays.copyOfRange(hp, in * width, in * width + width));
            } else if (conf instanceof org.deeplearning4j.nn.conf.layers.DenseLayer d) {
                InitialWeights.Linear proj = init.linear((int) d.getNIn(), (int) d.getNOut());
                set(p.get("W"), proj.w());
                set(p.get("b"), proj.b());
            } else {
                throw new IllegalStateException("no starting weights for layer " + conf.getClass().getSimpleName());
            }
        }
    }

    /** A row-major [rows, 4h] canonical matrix with its gate blocks in DL4J's order. */
    private static double[] gates(double[] canonical, int rows, int h) {
        double[] out = new double[canonical.length];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < 4; j++)
                System.arraycopy(canonical, r * 4 * h + ORDER[j] * h, out, r * 4 * h + j * h, h);
        return out;
    }

    /** Assigns row-major values to a parameter view (DL4J's views may be f-ordered). */
    private static void set(INDArray param, double[] values) {
        param.assign(Nd4j.create(values, param.shape(), 'c').castTo(param.dataType()));
    }
}
