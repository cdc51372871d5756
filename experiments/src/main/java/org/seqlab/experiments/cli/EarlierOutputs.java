package org.seqlab.experiments.cli;

import org.seqlab.core.UserException;
import org.seqlab.experiments.ConfigLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a dry run accepts in place of a file that an earlier command writes: an output of a shipped
 * experiment ({@code experiments/NAME.yaml}) at the place {@code seqlab run} puts it by default
 * ({@code reports/NAME}, its {@code checkpoints/MODEL-seedS} and {@code samples/}). A command that
 * reads such a path (report, compare, sample, render) checks the real file when it is there, and
 * otherwise that the path is one the named experiment writes.
 */
final class EarlierOutputs {
    private EarlierOutputs() {}

    /** The shipped experiment whose output {@code path} lies in, or null. */
    static ConfigLoader.Loaded experiment(Path workDir, Path path) {
        Path root = workDir.toAbsolutePath().normalize();
        Path rel = root.relativize(path.toAbsolutePath().normalize());
        if (rel.getNameCount() < 2 || !rel.getName(0).toString().equals("reports")) return null;
        String name = rel.getName(1).toString();
        Path dir = root.resolve("experiments");
        if (!Files.isDirectory(dir)) return null;
        List<Path> yamls;
        try (Stream<Path> s = Files.list(dir)) {
            yamls = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            return null;
        }
        for (Path y : yamls) {
            try {
                ConfigLoader.Loaded l = ConfigLoader.load(y, List.of());
                if (l.config().name().equals(name)) return l;
            } catch (RuntimeException notOne) {
                // an experiment that does not load writes nothing
            }
        }
        return null;
    }

    /** {@code rel}'s parts below {@code reports/NAME}, or null when it is not there. */
    private static Path below(Path workDir, Path path) {
        Path rel = workDir.toAbsolutePath().normalize().relativize(path.toAbsolutePath().normalize());
        return rel.getNameCount() <= 2 ? Path.of("") : rel.subpath(2, rel.getNameCount());
    }

    /** What to say of an absent run directory that a shipped experiment writes; null when none does. */
    static String runDirectory(Path workDir, Path dir) {
        ConfigLoader.Loaded l = experiment(workDir, dir);
        if (l == null || !below(workDir, dir).toString().isEmpty()) return null;
        return dir + " (written by ./seqlab run " + workDir.toAbsolutePath().normalize().relativize(l.file().toAbsolutePath().normalize()) + ")";
    }

    /** The same for a checkpoint directory {@code reports/NAME/checkpoints/MODEL-seedS}: a model and seed of that experiment. */
    static String checkpoint(Path workDir, Path dir) {
        ConfigLoader.Loaded l = experiment(workDir, dir);
        if (l == null) return null;
        Path rest = below(workDir, dir);
        if (rest.getNameCount() != 2 || !rest.getName(0).toString().equals("checkpoints")) return null;
        String leaf = rest.getName(1).toString();
        for (var m : l.config().models())
            for (long seed : l.config().runSeeds())
                if (leaf.equals(m.name() + "-seed" + seed))
                    return dir + " (written by ./seqlab run " + workDir.toAbsolutePath().normalize().relativize(l.file().toAbsolutePath().normalize()) + ")";
        throw new UserException(dir + ": no such checkpoint, and " + l.file() + " writes none of that name (its checkpoints: "
                + String.join(", ", l.config().models().stream().flatMap(m -> l.config().runSeeds().stream().map(s -> m.name() + "-seed" + s)).toList())
                + ")");
    }

    /** The same for a MIDI sample {@code reports/NAME/samples/FILE.mid}. */
    static String sample(Path workDir, Path file) {
        ConfigLoader.Loaded l = experiment(workDir, file);
        if (l == null) return null;
        Path rest = below(workDir, file);
        if (rest.getNameCount() != 2 || !rest.getName(0).toString().equals("samples") || !rest.getName(1).toString().matches("(?i).*\\.midi?")) return null;
        return file + " (a sample that ./seqlab run " + workDir.toAbsolutePath().normalize().relativize(l.file().toAbsolutePath().normalize()) + " writes)";
    }
}
