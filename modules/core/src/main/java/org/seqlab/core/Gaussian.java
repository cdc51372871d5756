package org.seqlab.core;

import java.util.SplittableRandom;

/** Standard normal draws from a SplittableRandom, which has no nextGaussian on Java 17. */
public final class Gaussian {
    private Gaussian() {}

    /** Box-Muller, one value per two uniforms: reproducible from the seed alone. */
    public static double next(SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();   // u in (0, 1]: log(u) is finite
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
