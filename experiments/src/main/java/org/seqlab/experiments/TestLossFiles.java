package org.seqlab.experiments;

import org.seqlab.core.Evaluation;
import org.seqlab.core.Results;
import org.seqlab.core.TestLosses;
import org.seqlab.data.task.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the per-example test losses of a run and of the task's reference models into
 * {@code test-losses/} beside results.json ({@link TestLosses} documents the format), stamped with
 * the test split's identity so that only runs that scored the same examples are ever paired.
 */
final class TestLossFiles {
    private TestLossFiles() {}

    static void writeRun(Path out, String model, long seed, Task task, Evaluation.ByExample scored) throws IOException {
        write(out, TestLosses.of(model, seed, false, Results.Unit.of(task.shape().kind()), task.sha256(), task.split(),
                example(task), scored.loss(), scored.count()));
    }

    /**
     * The reference models (unigram, optimum, naive forecasts) on the same examples. Their counts
     * are the examples' prediction counts, taken from the test pass itself.
     */
    static void writeReferences(Path out, Task task) throws IOException {
        Map<String, double[]> refs = task.referenceTestLosses();
        if (refs.isEmpty()) return;
        long[] count = exampleCounts(task);
        for (Map.Entry<String, double[]> e : refs.entrySet()) {
            if (e.getValue().length != count.length) continue;      // not scored on the same rows: not pairable
            write(out, TestLosses.of(e.getKey(), null, true, Results.Unit.of(task.shape().kind()), task.sha256(), task.split(),
                    example(task), e.getValue(), count));
        }
    }

    /** "chunk" when the test pass reads a stream in lanes, else "sequence". */
    static String example(Task task) {
        return task.testExample();
    }

    /** The real steps of every test row that has any, in pass order: the examples' prediction counts. */
    static long[] exampleCounts(Task task) {
        java.util.List<Long> counts = new java.util.ArrayList<>();
        for (var b : task.testPass())
            for (int r = 0; r < b.rows(); r++) {
                long n = 0;
                for (int t = 0; t < b.length(); t++) if (b.mask()[r * b.length() + t] != 0) n++;
                if (n > 0) counts.add(n);
            }
        return counts.stream().mapToLong(Long::longValue).toArray();
    }

    private static void write(Path out, TestLosses losses) throws IOException {
        Path dir = out.resolve(TestLosses.FOLDER);
        Files.createDirectories(dir);
        losses.write(dir.resolve(TestLosses.fileName(losses.header().model(), losses.header().seed())));
    }
}
