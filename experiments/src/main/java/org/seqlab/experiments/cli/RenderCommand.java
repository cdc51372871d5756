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
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "render", description = "Render a MIDI file to WAV with the JDK's software synthesizer (no sound card, nothing downloaded).")
final class RenderCommand implements Callable<Integer>, DryRun {
    /** The most audio --max-seconds may ask for: the WAV is built in memory, about 44 KB a second. */
    static final int LARGEST_CAP = 7200;

    @Parameters(paramLabel = "FILE.mid", description = "a standard MIDI file, e.g. a sample of a report: reports/nottingham/samples/lstm-t1.0-1.mid")
    Path midi;

    @Option(names = {"-o", "--out"}, description = "the WAV file to write, or a directory to write FILE.wav into (default: FILE.wav beside the MIDI file)")
    Path out;

    @Option(names = "--max-seconds", defaultValue = "600", paramLabel = "S",
            description = "render at most this many seconds; a longer file is cut there, with a warning (default ${DEFAULT-VALUE}, at most " + LARGEST_CAP + ")")
    double maxSeconds;

    @Option(names = "--debug", description = "print stack traces")
    boolean debug;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private void checkArguments() {
        if (!(maxSeconds > 0 && maxSeconds <= LARGEST_CAP))
            throw new UserException("--max-seconds: must be in (0, " + LARGEST_CAP + "], got " + maxSeconds);
        if (Files.isDirectory(midi)) throw new UserException(midi + ": a directory; render one MIDI file at a time, e.g. " + midi.resolve("sample.mid"));
    }

    /** The options are in range and the file is there (or is a sample a shipped experiment writes); its bytes are read when it renders. */
    @Override
    public java.util.List<String> check(java.nio.file.Path workDir) {
        checkArguments();
        String later = Files.exists(midi) ? null : EarlierOutputs.sample(workDir, midi);
        if (later != null) return java.util.List.of(later);
        if (!Files.isRegularFile(midi)) throw new UserException(midi + ": no such MIDI file");
        return java.util.List.of(midi + " is a file");
    }

    @Override
    public Integer call() throws IOException {
        checkArguments();
        if (!Files.isRegularFile(midi)) throw new UserException(midi + ": no such MIDI file");
        String wavName = midi.getFileName().toString().replaceFirst("(?i)\\.midi?$", "") + ".wav";
        Path to = out == null ? midi.resolveSibling(wavName) : Files.isDirectory(out) ? out.resolve(wavName) : out;
        if (Files.exists(to) && Files.isSameFile(to, midi))
            throw new UserException((out != null ? "--out " : "") + to + ": is the MIDI file itself; name another file for the WAV");
        WavRenderer.Rendered r;
        try {
            r = WavRenderer.render(Files.readAllBytes(midi), maxSeconds);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("not a MIDI file")) throw new UserException(midi + ": " + e.getMessage());
            throw e;
        } catch (IllegalStateException e) {
            throw new UserException(midi + ": " + e.getMessage());
        }
        AtomicFiles.writeBytes(to, r.wav());
        var err = spec.commandLine().getErr();
        if (r.notes() == 0) err.println("seqlab: warning: " + midi + " has no notes: the WAV is " + String.format(Locale.ROOT, "%.1f", r.seconds()) + " s of silence");
        if (r.cut())
            err.println(String.format(Locale.ROOT, "seqlab: warning: %s lasts %.0f s; only its first %.0f s were rendered (--max-seconds raises the cap, up to %d)",
                    midi, r.fullSeconds(), r.seconds(), LARGEST_CAP));
        System.out.printf(Locale.ROOT, "%s: %.1f s of audio (%s)%n", to, r.seconds(), WavRenderer.FORMAT);
        return 0;
    }
}
