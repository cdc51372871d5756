package org.seqlab.core.data;

import org.seqlab.core.Batch;

/** An endless supply of training batches with a notion of epoch size. */
public interface BatchSource {
    int batchesPerEpoch();

    Batch next();
}
