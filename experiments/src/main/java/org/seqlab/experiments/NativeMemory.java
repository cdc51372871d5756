package org.seqlab.experiments;

import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.SequenceModel;

/**
 * Gives a finished model's native memory back before the next model (or seed, or sweep trial)
 * starts, so an experiment's peak is its largest model's rather than the sum of all of them.
 */
final class NativeMemory {
    private NativeMemory() {}

    /** Closes {@code model} (null is allowed), drops this thread's DL4J workspaces and collects what is left. */
    static void release(SequenceModel model) {
        if (model != null) model.close();
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        System.gc();     // ND4J frees an array when the GC finds its Java object: the scratch the families dropped
    }
}
