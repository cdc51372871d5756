package org.seqlab.experiments;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** experiments/README.md is generated from the config records: it must match them. */
class ExperimentsReadmeTest {
    @Test
    void theReferenceMatchesTheConfigRecords() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String generated = new SchemaReference(SchemaReference.sourceRoots(root)).generate();
        Path readme = Path.of("README.md");
        if (Boolean.getBoolean("seqlab.writeDocs")) Files.writeString(readme, generated);
        assertTrue(generated.contains("| `training.lr` | number | `0.002` | base learning rate |"), generated);
        assertTrue(generated.contains("`models[].hidden`"), generated);
        assertEquals(generated, Files.readString(readme),
                "experiments/README.md is out of date: run mvn -B -pl experiments -am test -Dtest=ExperimentsReadmeTest -Dsurefire.failIfNoSpecifiedTests=false -Dseqlab.writeDocs=true");
    }
}
