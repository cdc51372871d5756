package org.seqlab.core;

/**
 * A family's own hyper-parameters: an immutable record, validated in its constructor. The YAML
 * {@code family:} key chooses the record type; {@code name} labels the run in reports.
 */
public interface ModelConfig {
    String name();
}
