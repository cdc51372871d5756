package org.seqlab.core;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * PNG bytes of a picture or a chart, encoded in memory. ImageIO's default stream cache is a
 * temporary file in java.io.tmpdir, so a full /tmp failed a run whose output lay elsewhere (found
 * by NothingHalfWrittenTest); with the cache off, only the output directory is written.
 */
public final class Png {
    static {
        ImageIO.setUseCache(false);
    }

    private Png() {}

    public static byte[] of(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) throw new IllegalStateException("no PNG writer in this JVM");
        } catch (IOException e) {
            throw new UncheckedIOException(e);          // memory only: cannot happen
        }
        return out.toByteArray();
    }
}
