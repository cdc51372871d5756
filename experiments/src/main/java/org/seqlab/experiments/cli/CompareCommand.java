package org.seqlab.experiments.cli;

import org.seqlab.core.Json;
import org.seqlab.core.Results;
import org.seqlab.core.TestLosses;
import org.seqlab.core.UserException;
import org.seqlab.experiments.compare.DifferenceSection;
import org.seqlab.experiments.compare.PairedStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code seqlab compare DIR_A DIR_B [MODEL_A MODEL_B]}: is the difference between two result
 * directories real? Pairs their runs example by example on the test split both scored (typically an
 * experiment against a changed copy of itself) and refuses, in one line, directories whose test
 * splits differ.
 */
@Command(name = "compare", description = "Is the difference real? Compare the runs of two result directories example by example "
        + "(they must have scored the same test split): the models of the same name in both, or MODEL_A of DIR_A against MODEL_B of DIR_B.")
final class CompareCommand implements Callable<Integer>, DryRun {
    @Parameters(index = "0", paramLabel = "DIR_A", description = "an output directory of an earlier run")
    Path dirA;

    @Parameters(index = "1", paramLabel = "DIR_B", description = "another one, scored on the same test split")
    Path dirB;

    @Parameters(index = "2..3", arity = "0..2", paramLabel = "MODEL", description = "MODEL_A MODEL_B: a model of DIR_A and one of DIR_B (default: every model name the two share)")
    List<String> models;

    @picocli.CommandLine.Option(names = "--debug", description = "print stack traces")
    boolean debug;

    /** Each directory holds per-example test losses, or is one a shipped experiment writes; the named models are there. */
    @Override
    public List<String> check(Path workDir) {
        if (models != null && models.size() == 1) throw new UserException("compare: name two models (MODEL_A of DIR_A and MODEL_B of DIR_B), or none");
        List<String> done = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path d = i == 0 ? dirA : dirB;
            String later = Files.exists(d) ? null : EarlierOutputs.runDirectory(workDir, d);
            if (later != null) {
                if (models != null && models.size() == 2) {
                    var names = EarlierOutputs.experiment(workDir, d).config().models().stream().map(m -> m.name()).toList();
                    if (!names.contains(models.get(i)))
                        throw new UserException(d + ": its experiment has no model " + models.get(i) + " (its models: " + String.join(", ", names) + ")");
                }
                done.add(later);
                continue;
            }
            Map<String, List<TestLosses>> runs = runsByModel(d);
            if (models != null && models.size() == 2) requireModel(d, runs, models.get(i));
            done.add(d + " holds the test losses of " + String.join(", ", runs.keySet()));
        }
        return done;
    }

    @Override
    public Integer call() {
        if (models != null && models.size() == 1) throw new UserException("compare: name two models (MODEL_A of DIR_A and MODEL_B of DIR_B), or none");
        Map<String, List<TestLosses>> a = runsByModel(dirA), b = runsByModel(dirB);
        TestLosses anyA = a.values().iterator().next().get(0), anyB = b.values().iterator().next().get(0);
        if (!anyA.header().splitIdentity().equals(anyB.header().splitIdentity()))
            throw new UserException(dirA + " and " + dirB + " scored different test splits (" + describe(anyA) + " against " + describe(anyB)
                    + "): their runs cannot be paired");
        List<String[]> pairs = new ArrayList<>();
        if (models != null && models.size() == 2) {
            requireModel(dirA, a, models.get(0));
            requireModel(dirB, b, models.get(1));
            pairs.add(new String[]{models.get(0), models.get(1)});
        } else {
            for (String m : a.keySet()) if (b.containsKey(m)) pairs.add(new String[]{m, m});
            if (pairs.isEmpty())
                throw new UserException(dirA + " and " + dirB + " share no model name (" + String.join(", ", a.keySet()) + " against "
                        + String.join(", ", b.keySet()) + "): name MODEL_A and MODEL_B");
        }
        String unit = unit(dirA);
        String examples = "chunk".equals(anyA.header().example()) ? "test chunks" : "test sequences";
        List<PairedStats.Difference> diffs = new ArrayList<>(), trained = new ArrayList<>();
        for (String[] p : pairs) {
            List<TestLosses> ra = a.get(p[0]), rb = b.get(p[1]);
            long[] count = ra.get(0).count();
            if (ra.size() == 1 && rb.size() == 1) {
                diffs.add(PairedStats.examples(ra.get(0).loss(), rb.get(0).loss(), count));
                trained.add(null);
            } else {
                double[][] la = ra.stream().map(TestLosses::loss).toArray(double[][]::new), lb = rb.stream().map(TestLosses::loss).toArray(double[][]::new);
                diffs.add(PairedStats.seedsAndExamples(la, lb, count));
                trained.add(PairedStats.examples(averaged(la), averaged(lb), count));
            }
        }
        double[] holm = PairedStats.holm(diffs.stream().mapToDouble(PairedStats.Difference::p).toArray());
        String nameA = dirA.toAbsolutePath().normalize().getFileName().toString(), nameB = dirB.toAbsolutePath().normalize().getFileName().toString();
        if (nameA.equals(nameB)) { nameA = "A"; nameB = "B"; }
        PairedStats.Difference first = diffs.get(0);
        System.out.printf(Locale.ROOT, "%s against %s on the same %,d %s (%,d predictions); %s, %,d resamples, resampling seed %d; p Holm-corrected over %d comparison(s)%n",
                dirA, dirB, first.examples(), examples, first.predictions(),
                first.level() == PairedStats.Level.EXAMPLES ? "paired bootstrap and sign-flip test over examples (these trained models)"
                        : "two-level bootstrap over seeds and examples, seed-permutation p (these configurations)",
                first.resamples(), first.resamplingSeed(), diffs.size());
        for (int k = 0; k < pairs.size(); k++)
            System.out.println("- " + DifferenceSection.sentence(nameA + "/" + pairs.get(k)[0], nameB + "/" + pairs.get(k)[1], diffs.get(k),
                    trained.get(k), holm[k], unit, examples));
        return 0;
    }

    /** The trained runs of a directory by model name; a directory without per-example losses is refused. */
    private static Map<String, List<TestLosses>> runsByModel(Path dir) {
        if (!Files.isDirectory(dir)) throw new UserException(dir + ": no such directory");
        List<TestLosses> files;
        try {
            files = TestLosses.readAll(dir);
        } catch (IOException e) {
            throw new UserException(e.getMessage());
        }
        Map<String, List<TestLosses>> out = new LinkedHashMap<>();
        for (TestLosses f : files) if (!f.header().reference()) out.computeIfAbsent(f.header().model(), k -> new ArrayList<>()).add(f);
        if (out.isEmpty())
            throw new UserException(dir.resolve(TestLosses.FOLDER) + ": no per-example test losses (not a seqlab output directory, or one from before seqlab kept them)");
        return out;
    }

    private static void requireModel(Path dir, Map<String, List<TestLosses>> runs, String model) {
        if (!runs.containsKey(model))
            throw new UserException(dir + ": no model " + model + " with per-example test losses (it has " + String.join(", ", runs.keySet()) + ")");
    }

    private static String describe(TestLosses f) {
        var h = f.header();
        return "data " + h.datasetSha256().substring(0, Math.min(12, h.datasetSha256().length())) + ", split "
                + (h.split() == null ? "as given" : h.split().describe()) + ", " + h.examples() + " examples of " + h.predictions() + " predictions";
    }

    /** The loss unit from DIR_A's results.json (its tokenizer), or nats per token/frame/value from the losses alone. */
    private static String unit(Path dir) {
        try {
            Results r = Json.MAPPER.readValue(dir.resolve("results.json").toFile(), Results.class);
            return org.seqlab.experiments.compare.DifferenceSection.unitOf(r.dataset());
        } catch (IOException | RuntimeException e) {
            return "per prediction";
        }
    }

    private static double[] averaged(double[][] runs) {
        double[] out = new double[runs[0].length];
        for (double[] r : runs) for (int i = 0; i < out.length; i++) out[i] += r[i] / runs.length;
        return out;
    }
}
