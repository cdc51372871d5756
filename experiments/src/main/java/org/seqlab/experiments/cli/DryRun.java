package org.seqlab.experiments.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * A command that can check, without doing its work, what it would read: {@code seqlab --dry-run}.
 * The same checks run first when the command runs for real, so a dry run that passes means the
 * command would start.
 */
interface DryRun {
    /**
     * Checks the arguments and the files they name, throwing the user error the command would;
     * returns what was checked, one short phrase per thing.
     *
     * @param workDir where the command runs: relative paths inside files (an experiment's data
     *                source) and outputs of earlier commands ({@code reports/NAME}) start there
     */
    List<String> check(Path workDir) throws Exception;
}
