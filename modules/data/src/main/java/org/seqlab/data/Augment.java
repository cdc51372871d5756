package org.seqlab.data;

import org.seqlab.core.Check;

/**
 * Data augmentation of the training split (valid and test stay as they are).
 *
 * @param transpose piano rolls only: every epoch, each training tune is transposed by a whole
 *                  number of semitones drawn uniformly from [-transpose, transpose] (6 reaches
 *                  every key), notes pushed off the 88 keys dropped; 0 = off (the default)
 */
public record Augment(Integer transpose) {
    public Augment {
        if (transpose == null) transpose = 0;
        Check.range("transpose", transpose, 0, 24, true);
    }
}
