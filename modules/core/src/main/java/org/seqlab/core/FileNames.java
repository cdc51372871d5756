package org.seqlab.core;

/** File names made from names a user chose (experiments, models, runs): one rule for checking and one for cleaning. */
public final class FileNames {
    private FileNames() {}

    /** Letters, digits, '.', '_' and '-', and not only dots: safe as one path element on every system. */
    public static boolean safe(String name) {
        return name.matches("[A-Za-z0-9._-]+") && !name.matches("\\.+");
    }

    /** {@code name} with every other character replaced by '_' (a run label such as "lstm#1234" becomes "lstm_1234"). */
    public static String of(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
