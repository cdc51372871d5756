package org.seqlab.optim;

/**
 * Whether the fused element-wise kernels run ({@link LstmKernel} for both LSTM families, the
 * transformer's own): the JVM has the JDK's Vector API ({@code --add-modules jdk.incubator.vector},
 * which the launcher and the tests give it) and {@code -Dseqlab.kernels=nd4j} does not ask for
 * ND4J's element-wise ops instead (to compare the two). Without the module every family runs
 * ND4J's ops, as before the kernels.
 */
public final class FusedKernels {
    /** Whether the Vector API is in this JVM at all. */
    public static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private static volatile boolean enabled = VECTOR_API && !"nd4j".equals(System.getProperty("seqlab.kernels"));

    private FusedKernels() {}

    public static boolean enabled() {
        return enabled;
    }

    /**
     * Switches the kernels on or off for models made from now on (a model keeps what it started
     * with); returns the previous setting. For tests and benches that compare the two paths.
     */
    public static boolean use(boolean on) {
        if (on && !VECTOR_API) throw new IllegalStateException("the fused kernels need --add-modules jdk.incubator.vector");
        boolean was = enabled;
        enabled = on;
        return was;
    }
}
