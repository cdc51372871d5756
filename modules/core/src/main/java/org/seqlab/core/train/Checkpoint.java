package org.seqlab.core.train;

import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Json;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.UserException;
import org.seqlab.core.data.Vocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A self-contained checkpoint directory: {@code checkpoint.json} (family, run name, shape,
 * vocabulary, progress) and {@code model/} (the family's own files). Like char-rnn's, sampling
 * needs nothing else. Written atomically: a crash never leaves a half checkpoint.
 */
public final class Checkpoint {
    public static final String INFO_FILE = "checkpoint.json";

    /** What is stored beside the weights. */
    public record Info(String family, String name, ModelShape shape, Vocabulary vocabulary, int epoch, long step,
                       double validLoss) {}

    private Checkpoint() {}

    public static void write(Path dir, SequenceModel model, Vocabulary vocabulary, int epoch, long step,
                             double validLoss) throws IOException {
        Path staging = AtomicFiles.stagingDirectory(dir);
        try {
            Path modelDir = Files.createDirectories(staging.resolve("model"));
            model.save(modelDir);
            Info info = new Info(model.family(), model.name(), model.shape(), vocabulary, epoch, step, validLoss);
            Files.writeString(staging.resolve(INFO_FILE), Json.write(info));
            AtomicFiles.replaceDirectory(staging, dir);
        } catch (IOException e) {
            throw AtomicFiles.naming(dir, e);
        } finally {
            AtomicFiles.deleteTree(staging);
        }
    }

    public static Info info(Path dir) {
        Path d = AtomicFiles.resolveDirectory(dir);
        Path file = d.resolve(INFO_FILE);
        if (!Files.isRegularFile(file))
            throw new UserException(dir + ": not a seqlab checkpoint (no " + INFO_FILE + ")");
        try {
            return Json.read(file, Info.class);
        } catch (IOException e) {
            throw new UserException(file + ": unreadable checkpoint info (damaged or cut short: " + firstLine(e) + "); retrain, or restore the directory", e);
        }
    }

    /**
     * The one check of a checkpoint to start from ({@code init.checkpoint}): its family, the shape of
     * what it predicts and, when given, its vocabulary must be this run's. Throws a UserException
     * saying what differs (the caller names the field); returns the checkpoint's info.
     */
    public static Info checkStartingPoint(Path dir, String family, ModelShape shape, Vocabulary vocabulary) {
        Info info = info(dir);
        if (!family.equals(info.family()))
            throw new UserException(dir + " holds a '" + info.family() + "' model, not a '" + family + "' one");
        Vocabulary theirs = info.vocabulary();
        if (vocabulary != null && theirs != null && !vocabulary.symbols().equals(theirs.symbols())) {
            int k = 0;
            while (k < Math.min(vocabulary.size(), theirs.size()) && vocabulary.symbol(k).equals(theirs.symbol(k))) k++;
            throw new UserException("vocabulary mismatch: " + dir + " has " + theirs.size() + " symbols, this data "
                    + vocabulary.size() + "; they first differ at index " + k + " ("
                    + (k < theirs.size() ? "'" + theirs.symbol(k) + "'" : "end") + " vs "
                    + (k < vocabulary.size() ? "'" + vocabulary.symbol(k) + "'" : "end") + ")");
        }
        if (!info.shape().equals(shape))
            throw new UserException(dir + " was trained on " + info.shape() + ", this data is " + shape);
        return info;
    }

    /** Loads the model with the family named in the checkpoint. */
    public static SequenceModel load(Path dir, Function<String, ModelFamily> families) {
        Info info = info(dir);
        ModelFamily family = families.apply(info.family());
        try {
            return family.load(AtomicFiles.resolveDirectory(dir).resolve("model"));
        } catch (IOException | RuntimeException e) {
            // ND4J reports a truncated or garbage array file as a RuntimeException around an EOFException
            if (e instanceof UserException u) throw u;
            throw new UserException(dir + ": cannot load its " + info.family() + " model: the files under model/ are damaged or cut short ("
                    + firstLine(e) + "); retrain, or restore the directory", e);
        }
    }

    /** The innermost cause's first line: what went wrong, without Jackson's source excerpt or a wrapper's name. */
    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.lines().findFirst().orElse(m).trim();
    }
}
