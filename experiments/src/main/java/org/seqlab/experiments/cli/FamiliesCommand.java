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
            String outputs = java.util.Arrays.stream(org.seqlab.core.OutputKind.values()).filter(f::supports)
                    .map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.joining(", "));
            System.out.printf("%-12s %s%n%12s options: %s%n%12s outputs: %s%n", f.key(), f.description(), "", keys, "", outputs);
        }
        return 0;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
