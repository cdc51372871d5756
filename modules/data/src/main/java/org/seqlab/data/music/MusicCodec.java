package org.seqlab.data.music;

import java.util.List;

/**
 * A way to turn notes into tokens and back, so token models can learn music. Every codec
 * round-trips on its own output: {@code encode(decode(tokens))} equals {@code tokens}.
 */
public interface MusicCodec {
    /** The token names, index = token id. */
    List<String> vocabulary();

    int[] encode(List<Note> notes);

    List<Note> decode(int[] tokens);
}
