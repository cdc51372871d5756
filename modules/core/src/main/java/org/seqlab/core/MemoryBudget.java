package org.seqlab.core;

/**
 * How much resident memory outside the Java heap a run may use, and where that figure came from.
 * The launcher passes {@code SEQLAB_MAX_OFFHEAP} (default {@value #DEFAULT}) to the JVM as this
 * budget and, set together with it, as JavaCPP's {@code maxbytes} and {@code maxphysicalbytes}.
 */
public record MemoryBudget(long offHeapBytes, String source) {
    public static final String VARIABLE = "SEQLAB_MAX_OFFHEAP";
    public static final String DEFAULT = "8G";

    /** The JVM property that wins over the variable: where a JVM has no say over its environment (a Spark executor's extraJavaOptions, tests). */
    public static final String PROPERTY = "seqlab.max.offheap";

    /**
     * The budget from {@code -Dseqlab.max.offheap} or else {@code $SEQLAB_MAX_OFFHEAP}: this JVM's,
     * shared among the runs it trains at once ({@link MemoryWatch}); a value that is not a size is a
     * user error naming the setting.
     */
    public static MemoryBudget fromEnvironment() {
        String property = System.getProperty(PROPERTY);
        String name = property != null && !property.isBlank() ? "-D" + PROPERTY : VARIABLE;
        String value = property != null && !property.isBlank() ? property : System.getenv(VARIABLE);
        if (value == null || value.isBlank()) return new MemoryBudget(MemoryUse.parseSize(DEFAULT), VARIABLE + " default " + DEFAULT);
        try {
            return new MemoryBudget(MemoryUse.parseSize(value), name + "=" + value.trim());
        } catch (IllegalArgumentException e) {
            throw new UserException(name + ": " + e.getMessage());
        }
    }

    /** What a user can do about running out of it. */
    public String advice() {
        return "Lower training.batch_size, training.eval_batch_size, training.seq_len or the model's size, "
                + "or raise " + VARIABLE + " (now " + MemoryUse.gb(offHeapBytes) + "), e.g. " + VARIABLE + "="
                + Math.max(1, (long) Math.ceil(offHeapBytes * 1.5 / (1L << 30))) + "G.";
    }
}
