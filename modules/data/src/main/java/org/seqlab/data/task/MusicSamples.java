package org.seqlab.data.task;

import org.seqlab.core.Results;
import org.seqlab.core.AtomicFiles;
import org.seqlab.data.music.WavRenderer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's generated music as the report links it: each sample a MIDI file and, beside it, the
 * same music rendered to WAV by the JDK's synthesizer, which the HTML report plays ({@code <audio>}).
 */
final class MusicSamples {
    private final Path out;
    private final List<String> midi = new ArrayList<>(), audio = new ArrayList<>();

    MusicSamples(Path out) {
        this.out = out;
    }

    /** Writes {@code bytes} as {@code file} (relative to the report's directory, ending in .mid) and its rendering beside it. */
    void add(String file, byte[] bytes) throws IOException {
        AtomicFiles.writeBytes(out.resolve(file), bytes);
        midi.add(file);
        if (!WavRenderer.available()) return;            // the report says how to render them
        String wav = file.replaceFirst("\\.mid$", ".wav");
        AtomicFiles.writeBytes(out.resolve(wav), WavRenderer.render(bytes));
        audio.add(wav);
    }

    Results.SampleSet set(double temperature, int topK, double topP) {
        return new Results.SampleSet(temperature, topK, topP, List.copyOf(midi), audio.size() == midi.size() ? List.copyOf(audio) : List.of());
    }
}
