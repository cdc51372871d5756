package org.seqlab.core;

import com.fasterxml.jackson.databind.SerializationFeature;
import org.seqlab.core.data.SplitMethod;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One run's loss on every test example, kept beside {@code results.json} in
 * {@code test-losses/NAME.tsv} so that any two runs that scored the same examples can be compared
 * example by example (paired), now or later ({@code seqlab compare}).
 *
 * <p>The file format ({@value #FORMAT}) is plain text: a first line {@code # } followed by the
 * {@link Header} as one line of JSON, then a line {@code loss\tcount}, then one line per test
 * example in test-pass order: its summed loss (nats, or squared error for series; 17 significant
 * digits) and the predictions it is summed over (tokens, frames or values). An example is a row of
 * the test pass: a sequence (a name, a tune, a series window), or, for a stream read in lanes (state
 * carried from one batch to the next), one lane's stretch in one evaluation batch.
 *
 * @param header what was scored and on which test split
 * @param loss   summed loss of each example
 * @param count  predictions of each example (all positive)
 */
public record TestLosses(Header header, double[] loss, long[] count) {
    public static final String FORMAT = "seqlab-test-losses/1";
    /** The folder beside results.json that holds one file per run and reference model. */
    public static final String FOLDER = "test-losses";

    /**
     * @param format       {@value #FORMAT}
     * @param model        the run's model name, or the reference model's ("unigram", "optimum", ...)
     * @param seed         the run's seed; null for a reference model
     * @param reference    true for a baseline or the optimum (nothing trained)
     * @param unit         what a prediction is: token, frame or value
     * @param datasetSha256 the data's hash (as results.json's dataset.sha256)
     * @param split        how the test split was made (null when the data came split)
     * @param example      what one example is: "sequence" (a name, a line, a tune, a series window) or
     *                     "chunk" (a fixed stretch of a stream read in lanes: one lane of one evaluation batch)
     * @param examples     number of examples
     * @param predictions  sum of the counts
     * @param countsSha256 hash of the counts column in order: two files with equal data hash, split
     *                     and counts hash scored the same examples in the same order
     */
    public record Header(String format, String model, Long seed, boolean reference, String unit, String datasetSha256,
                         SplitMethod split, String example, int examples, long predictions, String countsSha256) {
        /** The test split's identity: the same for two runs exactly when their examples can be paired. */
        public String splitIdentity() {
            return datasetSha256 + " | " + (split == null ? "as given" : split.describe()) + " | " + countsSha256;
        }
    }

    public TestLosses {
        if (loss.length != count.length) throw new IllegalArgumentException("loss and count differ in length");
    }

    /** Builds the file's content for per-example sums (examples with no prediction left out beforehand). */
    public static TestLosses of(String model, Long seed, boolean reference, Results.Unit unit, String datasetSha256,
                                SplitMethod split, String example, double[] loss, long[] count) {
        long total = 0;
        for (long c : count) total += c;
        return new TestLosses(new Header(FORMAT, model, seed, reference, unit.word(), datasetSha256, split, example, loss.length, total,
                countsHash(count)), loss, count);
    }

    public static String countsHash(long[] count) {
        StringBuilder s = new StringBuilder();
        for (long c : count) s.append(c).append('\n');
        return Sha256.of(s.toString());
    }

    /** Mean loss per prediction over all examples (what results.json's test loss is). */
    public double meanLoss() {
        double l = 0;
        long n = 0;
        for (int i = 0; i < loss.length; i++) { l += loss[i]; n += count[i]; }
        return l / n;
    }

    /** The file name of a run ({@code MODEL-seedN.tsv}) or of a reference model ({@code reference-MODEL.tsv}). */
    public static String fileName(String model, Long seed) {
        return FileNames.of(seed == null ? "reference-" + model : model + "-seed" + seed) + ".tsv";
    }

    /** Writes the file atomically (temp file + rename). */
    public void write(Path file) throws IOException {
        StringBuilder s = new StringBuilder(32 * loss.length + 512);
        s.append("# ").append(Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(header)).append('\n');
        s.append("loss\tcount\n");
        for (int i = 0; i < loss.length; i++) s.append(String.format(Locale.ROOT, "%.17g", loss[i])).append('\t').append(count[i]).append('\n');
        AtomicFiles.writeString(file, s.toString());
    }

    /** Reads a file written by {@link #write}; a malformed one is an {@link IOException} naming the file and line. */
    public static TestLosses read(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            if (first == null || !first.startsWith("# "))
                throw new IOException(file + ": line 1: not a seqlab test-loss file (no '# {header}' line)");
            Header h;
            try {
                h = Json.MAPPER.readValue(first.substring(2), Header.class);
            } catch (IOException e) {
                throw new IOException(file + ": line 1: unreadable header: " + e.getMessage());
            }
            if (!FORMAT.equals(h.format())) throw new IOException(file + ": line 1: format " + h.format() + ", expected " + FORMAT);
            String columns = in.readLine();
            if (!"loss\tcount".equals(columns)) throw new IOException(file + ": line 2: expected the columns 'loss<TAB>count'");
            List<double[]> rows = new ArrayList<>();
            String line;
            int no = 2;
            while ((line = in.readLine()) != null) {
                no++;
                if (line.isEmpty()) continue;
                int tab = line.indexOf('\t');
                try {
                    rows.add(new double[]{Double.parseDouble(line.substring(0, tab)), Long.parseLong(line.substring(tab + 1))});
                } catch (RuntimeException e) {
                    throw new IOException(file + ": line " + no + ": expected 'loss<TAB>count', got '" + line + "'");
                }
            }
            double[] loss = new double[rows.size()];
            long[] count = new long[rows.size()];
            for (int i = 0; i < loss.length; i++) { loss[i] = rows.get(i)[0]; count[i] = (long) rows.get(i)[1]; }
            if (loss.length != h.examples())
                throw new IOException(file + ": the header says " + h.examples() + " examples but " + loss.length + " follow (cut short?)");
            return new TestLosses(h, loss, count);
        }
    }

    /** Every file of {@code resultsDir/test-losses}, by file name order; empty when there is none. */
    public static List<TestLosses> readAll(Path resultsDir) throws IOException {
        Path dir = resultsDir.resolve(FOLDER);
        List<TestLosses> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".tsv")).sorted().toList()) out.add(read(f));
        }
        return out;
    }
}
