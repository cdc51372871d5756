package org.seqlab.lstm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/** The Java transpositions between DL4J's [rows, features, steps] arrays and time-major buffers move every element where ND4J's permuted assign does. */
class TimeMajorCopiesTest {
    @ParameterizedTest
    @ValueSource(strings = {"FLOAT", "DOUBLE"})
    void bothDirectionsAgreeWithNd4jsPermutedAssign(String precision) {
        DataType type = DataType.valueOf(precision);
        TimeMajorCopies copies = new TimeMajorCopies();
        for (int[] s : new int[][]{{5, 7, 3}, {32, 20, 9}, {1, 4, 6}, {9, 3, 1}}) {
            int rows = s[0], features = s[1], steps = s[2];
            INDArray dl4j = Nd4j.rand(type, rows, features, steps).dup('f');
            INDArray timeMajor = Nd4j.create(type, steps, rows, features);
            copies.toTimeMajor(dl4j, timeMajor);
            assertEquals(dl4j.permute(2, 0, 1).dup('c'), timeMajor, "to time-major " + java.util.Arrays.toString(s));
            INDArray back = Nd4j.create(type, new long[]{rows, features, steps}, 'f');
            copies.toDl4j(timeMajor, back);
            assertEquals(dl4j, back, "back to DL4J's order " + java.util.Arrays.toString(s));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "view"})
    void anArrayThatIsNotDenseInFOrderGoesThroughNd4j(String kind) {
        TimeMajorCopies copies = new TimeMajorCopies();
        INDArray whole = Nd4j.rand(DataType.FLOAT, 6, 5, 8);
        INDArray dl4j = kind.equals("c") ? whole : whole.dup('f').get(all(), interval(1, 4), all());
        INDArray timeMajor = Nd4j.create(DataType.FLOAT, dl4j.size(2), dl4j.size(0), dl4j.size(1));
        copies.toTimeMajor(dl4j, timeMajor);
        assertEquals(dl4j.permute(2, 0, 1).dup('c'), timeMajor);
        INDArray back = Nd4j.create(DataType.FLOAT, dl4j.shape(), 'c');
        copies.toDl4j(timeMajor, back);
        assertEquals(dl4j.dup('c'), back);
    }
}
