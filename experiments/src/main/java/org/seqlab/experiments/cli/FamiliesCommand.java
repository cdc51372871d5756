package org.seqlab.experiments.cli;

import org.seqlab.core.ModelFamily;
import org.seqlab.experiments.Families;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "families", description = "List the model families an experiment can use.")
final class FamiliesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (ModelFamily f : Families.ALL) {
            StringBuilder keys = new StringBuilder();
            for (var c : f.configType().getRecordComponents()) keys.append(keys.length() == 0 ? "" : ", ").append(snake(c.getName()));
            System.out.printf("%-12s %s%n%12s options: %s%n", f.key(), f.description(), "", keys);
        }
        return 0;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
