package org.seqlab.core.head;

import org.seqlab.core.FieldException;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The registry of output heads: the YAML {@code output:} value, the data it applies to, and how to
 * build it. A new output distribution is one {@link OutputHead} class and one line here. Unset,
 * {@code output} is the first head registered for the data's kind (softmax, bernoulli, gaussian).
 */
public final class Heads {
    private Heads() {}

    /** Default {@code nade_hidden}: the NADE layer's units. */
    public static final int DEFAULT_NADE_HIDDEN = 150;

    /** What a head is built from: the family's top width, the data's shape and the head options. */
    @FunctionalInterface
    public interface Factory {
        OutputHead create(int inputWidth, ModelShape shape, Spec spec);
    }

    private record Entry(Set<OutputKind> kinds, Factory factory) {}

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("softmax", new Entry(Set.of(OutputKind.TOKENS), (in, s, o) -> new SoftmaxHead(in, s.width())));
        REGISTRY.put("bernoulli", new Entry(Set.of(OutputKind.FRAMES), (in, s, o) -> new BernoulliHead(in, s.width())));
        REGISTRY.put("gaussian", new Entry(Set.of(OutputKind.VALUES), (in, s, o) -> new GaussianHead(in, s.width())));
        REGISTRY.put("nade", new Entry(Set.of(OutputKind.FRAMES), (in, s, o) -> new NadeHead(in, s.width(), o.nadeHidden())));
    }

    /**
     * A model's head options as written in its YAML ({@code output}, {@code nade_hidden}); checked
     * where the config is built, so a typo is an error naming the field and the allowed values.
     */
    public record Spec(String output, Integer nadeHidden) {
        public Spec {
            if (output != null && !REGISTRY.containsKey(output))
                throw new FieldException("output", "unknown head '" + output + "'; allowed: " + String.join(", ", REGISTRY.keySet()));
            if (nadeHidden != null && !"nade".equals(output))
                throw new FieldException("nade_hidden", "applies to output: nade only");
            if (nadeHidden != null && nadeHidden < 1)
                throw new FieldException("nade_hidden", "must be >= 1, got " + nadeHidden);
            if ("nade".equals(output) && nadeHidden == null) nadeHidden = DEFAULT_NADE_HIDDEN;
        }

        public static final Spec DEFAULT = new Spec(null, null);

        /** The head's name for data of {@code kind}: {@link #output} or the kind's default. */
        public String resolve(OutputKind kind) {
            return output != null ? output : defaultFor(kind);
        }
    }

    /** The registered names, in registry order. */
    public static Set<String> names() {
        return REGISTRY.keySet();
    }

    public static String defaultFor(OutputKind kind) {
        for (var e : REGISTRY.entrySet()) if (e.getValue().kinds().contains(kind)) return e.getKey();
        throw new IllegalStateException("no head for " + kind);
    }

    /** Whether head {@code name} models data of {@code kind}. */
    public static boolean applies(String name, OutputKind kind) {
        Entry e = REGISTRY.get(name);
        return e != null && e.kinds().contains(kind);
    }

    /** In a family's validate: the head must model the data's kind. */
    public static void checkApplies(Spec spec, ModelShape shape) {
        String name = spec.resolve(shape.kind());
        if (!applies(name, shape.kind())) {
            StringBuilder ok = new StringBuilder();
            for (var e : REGISTRY.entrySet())
                if (e.getValue().kinds().contains(shape.kind())) ok.append(ok.isEmpty() ? "" : ", ").append(e.getKey());
            throw new FieldException("output", "'" + name + "' does not model " + shape.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " data; allowed here: " + ok);
        }
    }

    /** Builds the head {@code spec} names for data of {@code shape} on a family's {@code inputWidth}-wide top layer. */
    public static OutputHead create(Spec spec, ModelShape shape, int inputWidth) {
        checkApplies(spec, shape);
        return REGISTRY.get(spec.resolve(shape.kind())).factory().create(inputWidth, shape, spec);
    }
}
