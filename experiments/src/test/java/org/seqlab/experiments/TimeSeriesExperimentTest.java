package org.seqlab.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Time-series experiments through the CLI: forecasts against the naive baselines, CSV errors, the airline file. */
class TimeSeriesExperimentTest {
    @TempDir
    Path dir;

    private static final String TINY = """
            name: series
            data:
              source: builtin:seasonal
              split: [0.7, 0.15, 0.15]
              series: {length: 400, horizon: 1, season: 12, moving_average: 6}
            models:
              - {family: handrolled, name: lstm, cell: lstm, hidden: 12}
              - {family: dl4j-lstm, name: dl4j, hidden: 8}
            training: {epochs: 40, batch_size: 16, seq_len: 24, lr: 0.02, clip: {mode: norm, threshold: 1}}
            """;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private CliRun runYaml(String yaml, String out, String... extra) throws Exception {
        Path f = Files.writeString(dir.resolve(out + ".yaml"), yaml);
        String[] args = new String[4 + extra.length];
        args[0] = "run";
        args[1] = f.toString();
        args[2] = "--out";
        args[3] = dir.resolve(out).toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        return run(args);
    }

    private static double[] column(JsonNode rows) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) v[i] = rows.get(i).get(0).asDouble();
        return v;
    }

    private static double mse(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s / a.length;
    }

    @Test
    void everyModelIsScoredAgainstTheNaiveForecastsOnTheSameTargets() throws Exception {
        CliRun o = runYaml(TINY, "ok");
        assertEquals(0, o.code(), o.err() + o.out());
        Path out = dir.resolve("ok");
        JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        JsonNode ds = r.get("dataset");
        assertEquals("value", ds.get("unit").asText());
        assertEquals(60, ds.get("tokens").get("test").asInt(), "15% of 400 values");
        JsonNode s = ds.get("series");
        double[] truth = column(s.get("test_truth"));
        assertEquals(60, truth.length);
        assertEquals(0.25, s.get("optimum_mse").asDouble(), 1e-12, "noise 0.5 by default");
        assertEquals(List.of("last value", "seasonal naive (12)", "moving average (6)"), names(r.get("baselines").fieldNames()));
        JsonNode last = r.get("baselines").get("last value");
        double[] lastPred = column(last.get("predictions"));
        for (int j = 1; j < truth.length; j++) assertEquals(truth[j - 1], lastPred[j], 1e-12, "last value = the previous target");
        assertEquals(mse(lastPred, truth), last.get("test_mse").asDouble(), 1e-9);
        double best = Double.POSITIVE_INFINITY;
        for (JsonNode b : r.get("baselines")) best = Math.min(best, b.get("test_mse").asDouble());
        String md = Files.readString(out.resolve("report.md"));
        for (JsonNode run : r.get("runs")) {
            JsonNode f = run.get("forecast");
            double[] p = column(f.get("predictions"));
            assertEquals(truth.length, p.length);
            assertEquals(mse(p, truth), f.get("test_mse").asDouble(), 1e-9, "MSE in original units, from the stored predictions");
            assertTrue(f.get("test_mse").asDouble() < best, run.get("model") + " learns to beat the naive forecasts: " + f + " vs " + best);
            assertTrue(f.get("test_mse").asDouble() > 0.25 * 0.7, "no model beats the noise by much: " + f);
            assertEquals(truth.length, f.get("recursive").size(), "horizon 1: a recursive forecast of the test span");
            assertTrue(run.get("metrics").get("test_perplexity").isNull(), "no perplexity for squared error");
            assertTrue(Files.size(out.resolve("residuals-" + run.get("model").asText() + ".png")) > 1000);
            assertTrue(md.contains("| **" + run.get("model").asText() + "** | "), md);
        }
        assertTrue(md.contains("| **optimum** (noise variance) | — | — | 0.2500 |"), md);
        assertTrue(md.contains("| seasonal naive (12) baseline | naive |") && md.contains("beats "), md);
        assertTrue(md.contains("![forecasts on the test span](forecast-test.png)"), md);
        assertTrue(Files.size(out.resolve("forecast-test.png")) > 1000);
        assertTrue(Files.readString(out.resolve("report.html")).contains("src=\"data:image/png;base64,"));
        assertTrue(o.out().contains("optimum (noise variance)") && o.out().contains("lstm") && o.out().contains("beats"), o.out());
    }

    @Test
    void aModelThatCannotBeatTheBestNaiveForecastIsMarkedSo() throws Exception {
        CliRun o = runYaml(TINY.replace("  - {family: dl4j-lstm, name: dl4j, hidden: 8}\n", ""), "weak",
                "--set", "training.epochs=1", "--set", "training.lr=0.00001", "--set", "data.series.horizon=3");
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode r = Json.MAPPER.readTree(dir.resolve("weak/results.json").toFile());
        JsonNode f = r.get("runs").get(0).get("forecast");
        assertTrue(f.get("recursive").isNull(), "recursive forecasts are for horizon 1 only");
        double[] truth = column(r.get("dataset").get("series").get("test_truth"));
        double[] last = column(r.get("baselines").get("last value").get("predictions"));
        for (int j = 3; j < truth.length; j++) assertEquals(truth[j - 3], last[j], 1e-12, "horizon 3: the value 3 steps back");
        String md = Files.readString(dir.resolve("weak/report.md"));
        assertTrue(md.matches("(?s).*\\| \\*\\*lstm\\*\\* \\|.*\\*\\*does not beat (last value|seasonal naive \\(12\\)|moving average \\(6\\))\\*\\*.*"), md);
        assertTrue(md.contains("the value 3 steps ahead (direct 3-step-ahead)"), md);
        assertTrue(o.out().contains("lstm") && o.out().contains("does not beat"), o.out());
    }

    /** A small monthly CSV shaped like the airline passengers (trend times seasonality). */
    private Path airlineLike(String badRow) throws Exception {
        StringBuilder sb = new StringBuilder("Month,Passengers\n");
        for (int i = 0; i < 144; i++) {
            String month = String.format("%d-%02d", 1949 + i / 12, i % 12 + 1);
            long v = Math.round((100 + 2.5 * i) * (1 + 0.2 * Math.sin(2 * Math.PI * i / 12)));
            sb.append(month).append(',').append(i == 50 && badRow != null ? badRow : String.valueOf(v)).append('\n');
        }
        return Files.writeString(dir.resolve(badRow == null ? "airline.csv" : "bad.csv"), sb.toString());
    }

    @Test
    void theAirlineFileValidatesAndRunsOnAnyCsvOfItsShape() throws Exception {
        Path yaml = Path.of("timeseries-airline.yaml");
        ConfigLoader.Loaded loaded = ConfigLoader.load(yaml, List.of());
        assertEquals("airline-passengers", loaded.config().data().source());
        assertEquals("Passengers", loaded.config().data().series().valueColumn());
        assertEquals(4, loaded.config().models().size(), "the models come from timeseries.yaml");
        CliRun missing = run("run", yaml.toString(), "--out", dir.resolve("air-missing").toString(), "--offline");
        assertEquals(2, missing.code());
        // offline with an empty cache (the parent pom points SEQLAB_CACHE into target/): the run says what to fetch where
        assertTrue(missing.err().contains("data.source: dataset airline-passengers") && missing.err().contains("airline-passengers.csv"),
                missing.err());
        assertFalse(Files.exists(dir.resolve("air-missing")));

        Path csv = airlineLike(null);
        CliRun o = run("run", yaml.toString(), "--out", dir.resolve("air").toString(), "--set", "data.source=" + csv,
                "--set", "training.epochs=2", "--set", "models=[{family: handrolled, name: gru, cell: gru, hidden: 8}]");
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode s = Json.MAPPER.readTree(dir.resolve("air/results.json").toFile()).get("dataset").get("series");
        assertEquals(List.of("Passengers"), List.of(s.get("columns").get(0).asText()));
        assertEquals(29, s.get("test_truth").size(), "the last 20% of 144 months");
        assertEquals("1958-08", s.get("test_dates").get(0).asText());
        assertTrue(s.get("optimum_mse").isNull(), "no known optimum for a file");
        assertTrue(Files.readString(dir.resolve("air/report.md")).contains("(1958-08 to 1960-12)"));
    }

    @Test
    void aCsvWithABadRowIsOneLineNamingFileLineAndColumn() throws Exception {
        Path bad = airlineLike("12O");
        CliRun o = run("run", "timeseries-airline.yaml", "--out", dir.resolve("bad").toString(), "--set", "data.source=" + bad);
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().contains(bad + ":52: column 2 (Passengers): expected a number, got '12O'"), o.err());
        assertFalse(Files.exists(dir.resolve("bad")), "nothing is written for bad input");

        Path gap = airlineLike("");
        CliRun g = run("run", "timeseries-airline.yaml", "--out", dir.resolve("gap").toString(), "--set", "data.source=" + gap);
        assertEquals(2, g.code());
        assertTrue(g.err().contains(gap + ":52: column 2 (Passengers): missing value (data.series.missing is error"), g.err());

        CliRun window = runYaml(TINY, "window", "--set", "training.seq_len=300");
        assertEquals(2, window.code());
        assertTrue(window.err().contains("training.seq_len: is 300 (the input window) but the training span has 280 values"), window.err());
        CliRun synthetic = runYaml(TINY.replace("source: builtin:seasonal", "source: " + airlineLike("112")), "synthetic");
        assertEquals(2, synthetic.code());
        assertTrue(synthetic.err().contains("data.series: length, noise, periods and generator_seed shape builtin:seasonal only"), synthetic.err());
        CliRun column = runYaml(TINY, "column", "--set", "data.series.value_column=y");
        assertTrue(column.err().contains("value_column(s) and date_column apply to CSV files"), column.err());
        CliRun text = runYaml(TINY.replace("source: builtin:seasonal", "source: builtin:markov-names"), "text");
        assertTrue(text.err().contains("data.series: does not apply to builtin:markov-names"), text.err());
    }

    @Test
    void severalColumnsAreModelledTogether() throws Exception {
        StringBuilder csv = new StringBuilder("t;a;b\n");
        for (int i = 0; i < 300; i++)
            csv.append(i + 1).append(';').append(5 + Math.sin(i / 3.0)).append(';').append(100 + 10 * Math.cos(i / 5.0)).append('\n');
        Path f = Files.writeString(dir.resolve("two.csv"), csv.toString());
        CliRun o = runYaml("""
                data:
                  source: %s
                  series: {value_columns: [2, b], date_column: t, delimiter: ";", normalize: minmax, season: 19, moving_average: 3}
                models:
                  - {family: handrolled, name: gru, cell: gru, hidden: 8}
                training: {epochs: 3, batch_size: 8, seq_len: 16, lr: 0.01}
                """.formatted(f), "two");
        assertEquals(0, o.code(), o.err() + o.out());
        JsonNode r = Json.MAPPER.readTree(dir.resolve("two/results.json").toFile());
        JsonNode s = r.get("dataset").get("series");
        assertEquals(List.of("a", "b"), names(s.get("columns").elements()).stream().map(JsonNode::asText).toList());
        assertEquals(2, r.get("dataset").get("vocabulary_size").asInt(), "width = number of series");
        JsonNode truth = s.get("test_truth"), p = r.get("runs").get(0).get("forecast").get("predictions");
        double se = 0;
        for (int j = 0; j < truth.size(); j++)
            for (int k = 0; k < 2; k++) se += Math.pow(p.get(j).get(k).asDouble() - truth.get(j).get(k).asDouble(), 2);
        assertEquals(se / (2 * truth.size()), r.get("runs").get(0).get("forecast").get("test_mse").asDouble(), 1e-9,
                "MSE averages over targets and series");
        assertTrue(Files.readString(dir.resolve("two/report.md")).contains("of 2 series [a, b] (averaged)"));
    }

    private static <T> List<T> names(java.util.Iterator<T> it) {
        List<T> l = new java.util.ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
