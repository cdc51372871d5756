package org.seqlab.experiments.cli;

import org.seqlab.core.AtomicFiles;
import org.seqlab.core.UserException;
import org.seqlab.data.music.WavRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "render", description = "Render a MIDI file to WAV with the JDK's software synthesizer (no sound card, nothing downloaded).")
final class RenderCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.mid", description = "a standard MIDI file, e.g. a sample of a report: reports/nottingham/samples/lstm-t1.0-1.mid")
    Path midi;

    @Option(names = {"-o", "--out"}, description = "the WAV file to write (default: FILE.wav beside the MIDI file)")
    Path out;

    @Option(names = "--debug", description = "print stack traces")
    boolean debug;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(midi)) throw new UserException(midi + ": no such MIDI file");
        byte[] wav;
        try {
            wav = WavRenderer.render(Files.readAllBytes(midi));
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("not a MIDI file")) throw new UserException(midi + ": " + e.getMessage());
            throw e;
        } catch (IllegalStateException e) {
            throw new UserException(midi + ": " + e.getMessage());
        }
        Path to = out != null ? out : midi.resolveSibling(midi.getFileName().toString().replaceFirst("(?i)\\.midi?$", "") + ".wav");
        AtomicFiles.writeBytes(to, wav);
        System.out.printf(java.util.Locale.ROOT, "%s: %.1f s of audio (%s)%n", to, (wav.length - 44) / (double) WavRenderer.FORMAT.getFrameSize()
                / WavRenderer.FORMAT.getFrameRate(), WavRenderer.FORMAT);
        return 0;
    }
}
