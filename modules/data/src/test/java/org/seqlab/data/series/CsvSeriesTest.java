package org.seqlab.data.series;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.FieldException;
import org.seqlab.core.UserException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The time-series CSV reader on small files the test writes itself. */
class CsvSeriesTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static SeriesConfig cfg(String value, String date, Boolean header, MissingValues missing) {
        return new SeriesConfig(value, null, date, header, null, missing, null, null, null, null, null, null, null, null);
    }

    private static double[] column(TimeSeries s, int k) {
        double[] out = new double[s.length()];
        for (int t = 0; t < out.length; t++) out[t] = s.values()[t][k];
        return out;
    }

    @Test
    void readsTheNamedValueColumnAndItsDates() throws Exception {
        Path f = write("air.csv", "Month,Passengers,Note\n1949-01,112,a\n1949-02,118,\"b, quoted\"\n\n1949-03,132.5,c\n");
        TimeSeries s = CsvSeries.read(f, cfg("Passengers", "Month", null, null));
        assertEquals(List.of("Passengers"), s.columns());
        assertArrayEquals(new double[]{112, 118, 132.5}, column(s, 0));
        assertEquals(List.of("1949-01", "1949-02", "1949-03"), s.dates());
        assertEquals("air", s.name());
        assertEquals(64, s.sha256().length());
        assertTrue(s.notes().isEmpty());
        // by number (1 = first column) gives the same series
        assertArrayEquals(column(s, 0), column(CsvSeries.read(f, cfg("2", "1", null, null)), 0));
    }

    @Test
    void withoutAHeaderTheLastColumnIsTheDefaultAndNamesAreNumbers() throws Exception {
        Path f = write("plain.csv", "1,10\n2,11\n3,12.5\n");
        TimeSeries s = CsvSeries.read(f, SeriesConfig.defaults());
        assertEquals(List.of("column 2"), s.columns());
        assertArrayEquals(new double[]{10, 11, 12.5}, column(s, 0));
        assertNull(s.dates());
        FieldException e = assertThrows(FieldException.class, () -> CsvSeries.read(f, cfg("value", null, false, null)));
        assertTrue(e.getMessage().contains("value_column: 'value' names a column but plain.csv has no header line"), e.getMessage());
        FieldException auto = assertThrows(FieldException.class, () -> CsvSeries.read(f, cfg("value", null, null, null)));
        assertTrue(auto.getMessage().contains("has no header line"), "a first line of numbers is data: " + auto.getMessage());
        // a header line when the file says there is none: its first row is then a bad row
        Path h = write("h.csv", "t,y\n1,10\n");
        UserException u = assertThrows(UserException.class, () -> CsvSeries.read(h, cfg("2", null, false, null)));
        assertEquals(h + ":1: column 2: expected a number, got 'y'", u.getMessage());
    }

    @Test
    void aBadRowNamesFileLineColumnAndWhatWasExpected() throws Exception {
        Path f = write("bad.csv", "Month,Passengers\n1949-01,112\n1949-02,11B\n1949-03,132\n");
        UserException e = assertThrows(UserException.class, () -> CsvSeries.read(f, cfg("Passengers", "Month", null, null)));
        assertEquals(f + ":3: column 2 (Passengers): expected a number, got '11B'", e.getMessage());
        Path ragged = write("ragged.csv", "a,b\n1,2\n3\n");
        UserException r = assertThrows(UserException.class, () -> CsvSeries.read(ragged, SeriesConfig.defaults()));
        assertTrue(r.getMessage().startsWith(ragged + ":3: has 1 column(s), the first line has 2"), r.getMessage());
        Path dates = write("dates.csv", "d,y\n1949-01,1\n1949-13,2\n");
        UserException d = assertThrows(UserException.class, () -> CsvSeries.read(dates, cfg("y", "d", null, null)));
        assertTrue(d.getMessage().startsWith(dates + ":3: column 1 (d): expected a date such as 1949-01"), d.getMessage());
        Path order = write("order.csv", "d,y\n1949-02-01,1\n1949-01-31,2\n");
        UserException o = assertThrows(UserException.class, () -> CsvSeries.read(order, cfg("y", "d", null, null)));
        assertTrue(o.getMessage().contains(":3: column 1 (d): date 1949-01-31 is not after the previous row's 1949-02-01"), o.getMessage());
        FieldException unknown = assertThrows(FieldException.class, () -> CsvSeries.read(order, cfg("Passengers", null, null, null)));
        assertEquals("value_column: no column 'Passengers' in order.csv (columns: d, y)", unknown.getMessage());
        FieldException range = assertThrows(FieldException.class, () -> CsvSeries.read(order, cfg("3", null, null, null)));
        assertTrue(range.getMessage().contains("column 3 does not exist: order.csv has 2 column(s)"), range.getMessage());
    }

    @Test
    void missingValuesAreAnErrorUnlessAPolicySaysOtherwise() throws Exception {
        Path f = write("gaps.csv", "t,y\n1,1\n2,\n3,NA\n4,7\n5,9\n");
        UserException e = assertThrows(UserException.class, () -> CsvSeries.read(f, cfg("y", "t", null, null)));
        assertEquals(f + ":3: column 2 (y): missing value (data.series.missing is error; choose drop, interpolate or previous)",
                e.getMessage());
        TimeSeries dropped = CsvSeries.read(f, cfg("y", "t", null, MissingValues.DROP));
        assertArrayEquals(new double[]{1, 7, 9}, column(dropped, 0));
        assertEquals(List.of("1", "4", "5"), dropped.dates());
        assertEquals(List.of("2 row(s) with a missing value dropped (missing: drop)"), dropped.notes());
        // interpolate: 1 .. 7 over three steps
        assertArrayEquals(new double[]{1, 3, 5, 7, 9}, column(CsvSeries.read(f, cfg("y", "t", null, MissingValues.INTERPOLATE)), 0), 1e-12);
        assertArrayEquals(new double[]{1, 1, 1, 7, 9}, column(CsvSeries.read(f, cfg("y", "t", null, MissingValues.PREVIOUS)), 0));
        Path first = write("first.csv", "t,y\n1,\n2,5\n");
        UserException noPrevious = assertThrows(UserException.class, () -> CsvSeries.read(first, cfg("y", null, null, MissingValues.PREVIOUS)));
        assertTrue(noPrevious.getMessage().startsWith(first + ":2: y: missing value on the first row"), noPrevious.getMessage());
        Path last = write("last.csv", "t,y\n1,4\n2,\n");
        UserException noAfter = assertThrows(UserException.class, () -> CsvSeries.read(last, cfg("y", null, null, MissingValues.INTERPOLATE)));
        assertTrue(noAfter.getMessage().startsWith(last + ":3: y: missing value with no value after it"), noAfter.getMessage());
    }

    @Test
    void severalColumnsMakeAMultivariateSeries() throws Exception {
        Path f = write("multi.csv", "day;temp;load;id\n2024-01-01;1.5;10;a\n2024-01-02;2.5;12;b\n");
        SeriesConfig c = new SeriesConfig(null, List.of("load", "temp"), "day", null, ";", null, null, null, null, null, null, null, null, null);
        TimeSeries s = CsvSeries.read(f, c);
        assertEquals(List.of("load", "temp"), s.columns());
        assertArrayEquals(new double[]{10, 1.5}, s.values()[0]);
        assertArrayEquals(new double[]{12, 2.5}, s.values()[1]);
        assertThrows(FieldException.class, () -> new SeriesConfig("a", List.of("b"), null, null, null, null, null, null, null, null, null, null, null, null));
    }
}
