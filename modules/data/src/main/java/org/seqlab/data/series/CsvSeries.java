package org.seqlab.data.series;

import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaDataLine;
import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.Writable;
import org.seqlab.core.FieldException;
import org.seqlab.core.Sha256;
import org.seqlab.core.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a time series from a CSV file with DataVec's {@link CSVRecordReader}: the chosen value
 * column(s), an optional date column, an optional header line, and a policy for missing values.
 * Every problem in the file is a {@link UserException} naming the file, the line and the column,
 * and what was expected there; problems with the options are {@link FieldException}s.
 */
public final class CsvSeries {
    /** Cells that mean "no value" (besides an empty cell). */
    private static final Set<String> MISSING = Set.of("na", "n/a", "nan", "null", "?", "-");

    private CsvSeries() {}

    /** One data row: its line in the file, its cells. */
    private record Row(int line, List<String> cells) {}

    public static TimeSeries read(Path file, SeriesConfig cfg) {
        List<Row> rows = records(file, cfg.delimiter().charAt(0));
        if (rows.isEmpty()) throw new UserException(file + ": the file has no rows");
        Row first = rows.get(0);
        int width = first.cells().size();
        for (Row r : rows)
            if (r.cells().size() != width)
                throw new UserException(file + ":" + r.line() + ": has " + r.cells().size() + " column(s), the first line has "
                        + width + (cfg.delimiter().equals(",") ? "" : " (delimiter '" + cfg.delimiter() + "')"));

        List<String> headerLine = null;
        boolean hasHeader;
        // auto: a data row has at least one number (its value), a header line none
        if (cfg.header() != null) hasHeader = cfg.header();
        else hasHeader = first.cells().stream().noneMatch(CsvSeries::isNumber);
        if (hasHeader) {
            headerLine = first.cells().stream().map(String::strip).toList();
            rows = rows.subList(1, rows.size());
            if (rows.isEmpty()) throw new UserException(file + ": the file has a header line and no data rows");
        }
        List<String> header = headerLine;
        List<Integer> valueCols = new ArrayList<>();
        if (cfg.columns().isEmpty()) valueCols.add(width - 1);
        else for (String c : cfg.columns()) valueCols.add(column(c, header, width, cfg.columnsKey(), file));
        Integer dateCol = cfg.dateColumn() == null ? null : column(cfg.dateColumn(), header, width, "date_column", file);
        if (dateCol != null && valueCols.contains(dateCol))
            throw new FieldException("date_column", "is also a value column (" + label(dateCol, header) + ")");

        List<String> names = valueCols.stream().map(k -> header != null ? header.get(k) : "column " + (k + 1)).toList();
        List<double[]> values = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<String> dates = dateCol == null ? null : new ArrayList<>();
        int dropped = 0, filled = 0;
        Comparable<?> lastDate = null;
        String lastDateText = null;
        for (Row r : rows) {
            double[] v = new double[valueCols.size()];
            boolean missing = false;
            for (int j = 0; j < v.length; j++) {
                int k = valueCols.get(j);
                String cell = r.cells().get(k).strip();
                if (isMissing(cell)) {
                    if (cfg.missing() == MissingValues.ERROR)
                        throw new UserException(where(file, r, k, header) + ": missing value (data.series.missing is error; "
                                + "choose drop, interpolate or previous)");
                    v[j] = Double.NaN;
                    missing = true;
                    continue;
                }
                v[j] = number(cell, file, r, k, header);
            }
            if (missing && cfg.missing() == MissingValues.DROP) {
                dropped++;
                continue;
            }
            if (missing) filled++;
            if (dateCol != null) {
                String text = r.cells().get(dateCol).strip();
                Comparable<?> d = date(text, file, r, dateCol, header);
                if (lastDate != null && d.getClass() != lastDate.getClass())
                    throw new UserException(where(file, r, dateCol, header) + ": '" + text + "' is not written like the previous row's "
                            + lastDateText + " (a date column holds dates or step numbers, not both)");
                if (lastDate != null && compare(d, lastDate) <= 0)
                    throw new UserException(where(file, r, dateCol, header) + ": date " + text + " is not after the previous row's "
                            + lastDateText + "; a series must be in chronological order");
                lastDate = d;
                lastDateText = text;
                dates.add(text);
            }
            values.add(v);
            lines.add(r.line());
        }
        if (values.isEmpty()) throw new UserException(file + ": no rows left after dropping those with missing values");
        double[][] out = values.toArray(double[][]::new);
        if (filled > 0) fill(out, lines, cfg.missing(), file, names);
        List<String> notes = new ArrayList<>();
        if (dropped > 0) notes.add(dropped + " row(s) with a missing value dropped (missing: drop)");
        if (filled > 0) notes.add(filled + " row(s) with a missing value filled (missing: "
                + cfg.missing().name().toLowerCase(Locale.ROOT) + ")");
        String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return new TimeSeries(name, file.toString(), sha256(file), names, dates, out, null, List.copyOf(notes));
    }

    /** Every record of the file with its 1-based line number, through DataVec. */
    private static List<Row> records(Path file, char delimiter) {
        if (!Files.isRegularFile(file)) throw new FieldException("source", "file not found: " + file.toAbsolutePath());
        List<Row> rows = new ArrayList<>();
        try (CSVRecordReader reader = new CSVRecordReader(0, delimiter)) {
            reader.initialize(new FileSplit(file.toFile()));
            while (reader.hasNext()) {
                Record rec;
                try {
                    rec = reader.nextRecord();
                } catch (RuntimeException e) {
                    // DataVec names the offending text but not the line: count it from the rows read so far
                    int line = rows.isEmpty() ? 1 : rows.get(rows.size() - 1).line() + 1;
                    throw new UserException(file + ":" + line + ": cannot parse the line as CSV: " + e.getMessage());
                }
                int line = ((RecordMetaDataLine) rec.getMetaData()).getLineNumber() + 1;
                List<String> cells = new ArrayList<>();
                for (Writable w : rec.getRecord()) cells.add(w.toString());
                if (cells.size() == 1 && cells.get(0).isBlank()) continue;     // blank line
                if (line == 1 && !cells.isEmpty()) cells.set(0, cells.get(0).replace("\uFEFF", ""));   // byte order mark
                rows.add(new Row(line, cells));
            }
        } catch (IOException | InterruptedException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
        return rows;
    }

    /** A column given by header name or 1-based number, as a 0-based index. */
    private static int column(String spec, List<String> header, int width, String key, Path file) {
        if (spec.matches("\\d+")) {
            int n = Integer.parseInt(spec);
            if (n < 1 || n > width)
                throw new FieldException(key, "column " + n + " does not exist: " + file.getFileName() + " has " + width
                        + " column(s), numbered from 1");
            return n - 1;
        }
        if (header == null)
            throw new FieldException(key, "'" + spec + "' names a column but " + file.getFileName()
                    + " has no header line; give the column's number (1 = first) or set header: true");
        int k = header.indexOf(spec.strip());
        if (k < 0) throw new FieldException(key, "no column '" + spec + "' in " + file.getFileName() + " (columns: "
                + String.join(", ", header) + ")");
        return k;
    }

    private static String label(int k, List<String> header) {
        return "column " + (k + 1) + (header != null ? " (" + header.get(k) + ")" : "");
    }

    private static String where(Path file, Row r, int k, List<String> header) {
        return file + ":" + r.line() + ": " + label(k, header);
    }

    static boolean isMissing(String cell) {
        String c = cell.strip();
        return c.isEmpty() || MISSING.contains(c.toLowerCase(Locale.ROOT));
    }

    private static boolean isNumber(String cell) {
        try {
            return Double.isFinite(Double.parseDouble(cell.strip()));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static double number(String cell, Path file, Row r, int k, List<String> header) {
        try {
            double v = Double.parseDouble(cell);
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserException(where(file, r, k, header) + ": expected a number, got '" + cell + "'");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Comparable a, Comparable b) {
        return a.compareTo(b);
    }

    /**
     * Dates as monthly series and daily/hourly logs write them, or plain step numbers; any other
     * text is an error.
     */
    private static Comparable<?> date(String text, Path file, Row r, int k, List<String> header) {
        if (text.matches("\\d{1,3}|\\d{5,18}")) return Long.parseLong(text);     // a step number (4 digits: a year)
        try {
            if (text.matches("\\d{4}")) return LocalDate.of(Integer.parseInt(text), 1, 1).atStartOfDay();
            if (text.matches("\\d{4}-\\d{1,2}")) {
                String[] p = text.split("-");
                return YearMonth.of(Integer.parseInt(p[0]), Integer.parseInt(p[1])).atDay(1).atStartOfDay();
            }
            if (text.matches("\\d{4}-\\d{2}-\\d{2}")) return LocalDate.parse(text).atStartOfDay();
            return LocalDateTime.parse(text.replace(' ', 'T'));
        } catch (java.time.DateTimeException e) {
            throw new UserException(where(file, r, k, header) + ": expected a date such as 1949-01, 1949-01-31 or "
                    + "1949-01-31T12:00, got '" + text + "'");
        }
    }

    /** Fills NaNs by the policy; the first value cannot be "previous", nor an end interpolated. */
    private static void fill(double[][] v, List<Integer> lines, MissingValues policy, Path file, List<String> names) {
        for (int k = 0; k < v[0].length; k++)
            for (int t = 0; t < v.length; t++) {
                if (!Double.isNaN(v[t][k])) continue;
                int before = t - 1;
                if (before < 0)
                    throw new UserException(file + ":" + lines.get(t) + ": " + names.get(k) + ": missing value on the first row: nothing before it to "
                            + (policy == MissingValues.PREVIOUS ? "repeat" : "interpolate from") + " (use missing: drop)");
                if (policy == MissingValues.PREVIOUS) {
                    v[t][k] = v[before][k];
                    continue;
                }
                int after = t + 1;
                while (after < v.length && Double.isNaN(v[after][k])) after++;
                if (after == v.length)
                    throw new UserException(file + ":" + lines.get(t) + ": " + names.get(k) + ": missing value with no value after it "
                            + "to interpolate to (use missing: previous or drop)");
                for (int i = t; i < after; i++)
                    v[i][k] = v[before][k] + (v[after][k] - v[before][k]) * (i - before) / (double) (after - before);
                t = after;
            }
    }

    private static String sha256(Path file) {
        try {
            return Sha256.of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
