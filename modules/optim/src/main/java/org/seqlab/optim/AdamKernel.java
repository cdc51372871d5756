package org.seqlab.optim;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Adam's (and AdamW's) update in one pass over ND4J's memory, in the order torch.optim writes it:
 * <pre>
 *   m = β1·m + (1−β1)·g      v = β2·v + (1−β2)·g²      p −= (lr/bc1) · m / (√v/√bc2 + ε)
 * </pre>
 * ND4J takes nine whole-array ops for it, each reading and writing every parameter.
 */
final class AdamKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private AdamKernel() {}

    /** @param step lr / bc1; {@code scale} 1 / √bc2 */
    static void step(INDArray params, INDArray grad, INDArray m, INDArray v, double b1, double b2, double step, double scale, double eps) {
        ByteBuffer pb = NativeSlices.direct(params), gb = NativeSlices.direct(grad), mb = NativeSlices.direct(m), vb = NativeSlices.direct(v);
        int n = (int) params.length(), i = 0;
        if (params.dataType() == DataType.FLOAT) {
            float fb1 = (float) b1, fb2 = (float) b2, c1 = (float) (1 - b1), c2 = (float) (1 - b2), st = (float) step, sc = (float) scale, e = (float) eps;
            for (int up = F.loopBound(n); i < up; i += F.length()) {
                int at = 4 * i;
                FloatVector g = FloatVector.fromByteBuffer(F, gb, at, ORDER);
                FloatVector mv = FloatVector.fromByteBuffer(F, mb, at, ORDER).mul(fb1).add(g.mul(c1));
                FloatVector vv = FloatVector.fromByteBuffer(F, vb, at, ORDER).mul(fb2).add(g.mul(g).mul(c2));
                mv.intoByteBuffer(mb, at, ORDER);
                vv.intoByteBuffer(vb, at, ORDER);
                FloatVector den = vv.lanewise(VectorOperators.SQRT).mul(sc).add(e);
                FloatVector.fromByteBuffer(F, pb, at, ORDER).sub(mv.div(den).mul(st)).intoByteBuffer(pb, at, ORDER);
            }
            for (; i < n; i++) {
                int at = 4 * i;
                float g = gb.getFloat(at), mv = mb.getFloat(at) * fb1 + g * c1, vv = vb.getFloat(at) * fb2 + g * g * c2;
                mb.putFloat(at, mv);
                vb.putFloat(at, vv);
                pb.putFloat(at, pb.getFloat(at) - mv / ((float) Math.sqrt(vv) * sc + e) * st);
            }
        } else {
            for (int up = D.loopBound(n); i < up; i += D.length()) {
                int at = 8 * i;
                DoubleVector g = DoubleVector.fromByteBuffer(D, gb, at, ORDER);
                DoubleVector mv = DoubleVector.fromByteBuffer(D, mb, at, ORDER).mul(b1).add(g.mul(1 - b1));
                DoubleVector vv = DoubleVector.fromByteBuffer(D, vb, at, ORDER).mul(b2).add(g.mul(g).mul(1 - b2));
                mv.intoByteBuffer(mb, at, ORDER);
                vv.intoByteBuffer(vb, at, ORDER);
                DoubleVector den = vv.lanewise(VectorOperators.SQRT).mul(scale).add(eps);
                DoubleVector.fromByteBuffer(D, pb, at, ORDER).sub(mv.div(den).mul(step)).intoByteBuffer(pb, at, ORDER);
            }
            for (; i < n; i++) {
                int at = 8 * i;
                double g = gb.getDouble(at), mv = mb.getDouble(at) * b1 + g * (1 - b1), vv = vb.getDouble(at) * b2 + g * g * (1 - b2);
                mb.putDouble(at, mv);
                vb.putDouble(at, vv);
                pb.putDouble(at, pb.getDouble(at) - mv / (Math.sqrt(vv) * scale + eps) * step);
            }
        }
    }
}
