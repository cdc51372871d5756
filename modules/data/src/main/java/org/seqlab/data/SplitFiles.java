package org.seqlab.data;

import org.seqlab.core.FieldException;

import java.util.List;

/**
 * {@code data.split_files}: which files of a directory source make up each split.
 *
 * @param train files of the training split (paths relative to the source directory)
 * @param valid files of the validation split
 * @param test  files of the test split
 */
public record SplitFiles(List<String> train, List<String> valid, List<String> test) {
    public SplitFiles {
        train = check("train", train);
        valid = check("valid", valid);
        test = check("test", test);
    }

    private static List<String> check(String split, List<String> files) {
        if (files == null || files.isEmpty()) throw new FieldException(split, "list at least one file");
        return List.copyOf(files);
    }
}
