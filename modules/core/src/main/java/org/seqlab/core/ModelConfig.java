package org.seqlab.core;

/**
 * A family's own hyper-parameters: an immutable record, validated in its constructor. The YAML
 * {@code family:} key chooses the record type; {@code name} labels the run in reports.
 */
public interface ModelConfig {
    String name();

    /**
     * A checkpoint directory whose weights this model starts from (fine-tuning), or null. The runner
     * checks that the checkpoint's vocabulary matches the data before the family loads it.
     */
    default String initCheckpoint() {
        return null;
    }

    /**
     * What a report's settings table shows for this model: its size and regularisation, in order,
     * keyed as in the YAML. Each family declares its own; the testkit checks it is not empty.
     */
    default java.util.Map<String, Object> settings() {
        return java.util.Map.of();
    }
}
