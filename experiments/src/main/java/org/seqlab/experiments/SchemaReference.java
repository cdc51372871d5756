package org.seqlab.experiments;

import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Generates the experiment-file reference (experiments/README.md) from the config records
 * themselves: keys and types by reflection, defaults by building each record from nothing, and
 * meanings from the records' {@code @param} documentation in the sources. A test regenerates it and
 * fails when the committed file differs, so the reference cannot drift from the code.
 */
public final class SchemaReference {
    private final List<Path> sourceRoots;
    private final StringBuilder out = new StringBuilder();

    public SchemaReference(List<Path> sourceRoots) {
        this.sourceRoots = sourceRoots;
    }

    public String generate() throws IOException {
        out.append("# Experiment files: reference\n\n");
        out.append("Generated from the config records by `SchemaReference` (the `ExperimentsReadmeTest` test checks it is current;\n");
        out.append("regenerate with `mvn -B -pl experiments -am test -Dtest=ExperimentsReadmeTest -Dsurefire.failIfNoSpecifiedTests=false -Dseqlab.writeDocs=true`).\n");
        out.append("Keys are snake_case; an unknown key, a wrong type or an out-of-range value is an error naming file, line and column.\n");
        out.append("`--set path=value` overrides any key (e.g. `--set models[0].hidden=64`); `extends: base.yaml` (a path relative to the file)\n");
        out.append("merges this file over a base file: mappings merge key by key, lists and values replace the base's.\n");
        out.append("`--dry-run` checks a file, its overrides and its base without training (the README, \"Writing an experiment\"):\n\n");
        out.append("```bash\n./seqlab run experiments/quickstart.yaml --dry-run --set models[0].hidden=64 --set training.init=xavier\n```\n\n");
        section("top level", "", ExperimentConfig.class);
        for (ModelFamily f : Families.ALL) section("models[] with family: " + f.key(), "models[].", f.configType());
        return out.toString();
    }

    private void section(String title, String prefix, Class<?> record) throws IOException {
        Map<String, String> docs = docs(record);
        Object defaults = defaults(record);
        out.append("## ").append(title).append("\n\n| key | type | default | meaning |\n|---|---|---|---|\n");
        List<Class<?>> nested = new ArrayList<>();
        List<String> nestedKeys = new ArrayList<>();
        for (RecordComponent c : record.getRecordComponents()) {
            if (record == ExperimentConfig.class && c.getName().equals("modelTraining")) continue;   // filled by the loader
            String key = snake(c.getName());
            Class<?> raw = c.getType();
            String def = "—";
            if (defaults != null) {
                try {
                    Object v = c.getAccessor().invoke(defaults);
                    def = v == null ? "—" : v.getClass().isRecord() ? "(section)" : format(v);
                } catch (ReflectiveOperationException e) {
                    def = "—";
                }
            }
            String doc = docs.getOrDefault(c.getName(), "");
            out.append("| `").append(prefix).append(key).append("` | ").append(type(c.getGenericType())).append(" | ")
                    .append(def).append(" | ").append(doc.replace("|", "/")).append(" |\n");
            if (raw.isRecord()) { nested.add(raw); nestedKeys.add(prefix + key); }
            if (List.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)) {
                Type arg = c.getGenericType() instanceof ParameterizedType p ? p.getActualTypeArguments()[p.getActualTypeArguments().length - 1] : null;
                if (arg instanceof Class<?> k && k.isRecord()) { nested.add(k); nestedKeys.add(prefix + key + (List.class.isAssignableFrom(raw) ? "[]" : ".*")); }
            }
        }
        out.append('\n');
        for (int i = 0; i < nested.size(); i++) section(nestedKeys.get(i), nestedKeys.get(i) + ".", nested.get(i));
    }

    private static String type(Type t) {
        if (t instanceof ParameterizedType p) {
            Type[] a = p.getActualTypeArguments();
            return List.class.isAssignableFrom((Class<?>) p.getRawType()) ? "list of " + type(a[0]) : "mapping of " + type(a[a.length - 1]);
        }
        Class<?> c = (Class<?>) t;
        if (c == Integer.class || c == int.class || c == Long.class || c == long.class) return "integer";
        if (c == Double.class || c == double.class) return "number";
        if (c == Boolean.class || c == boolean.class) return "boolean";
        if (c == String.class) return "string";
        if (c == Object.class) return "any";
        if (c.isEnum()) {
            List<String> v = new ArrayList<>();
            for (Object e : c.getEnumConstants()) v.add(e.toString().toLowerCase(Locale.ROOT));
            return String.join(" \\| ", v);
        }
        if (c == ModelConfig.class) return "model (see below)";
        return "mapping";
    }

    private static String format(Object v) {
        if (v instanceof Enum<?> e) return e.name().toLowerCase(Locale.ROOT);
        if (v instanceof List<?> l && l.isEmpty()) return "[]";
        return "`" + v + "`";
    }

    /** The record built from all-null arguments (every field at its default), or null when some field is required. */
    private static Object defaults(Class<?> record) {
        try {
            Class<?>[] types = java.util.Arrays.stream(record.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
            Constructor<?> ctor = record.getDeclaredConstructor(types);
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) if (types[i].isPrimitive()) args[i] = types[i] == boolean.class ? false : 0;
            return ctor.newInstance(args);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The {@code @param} texts of a record's source, joined across lines. */
    private Map<String, String> docs(Class<?> record) throws IOException {
        String rel = record.getName().replace('.', '/').replaceAll("\\$.*", "") + ".java";
        Map<String, String> out = new LinkedHashMap<>();
        for (Path root : sourceRoots) {
            Path f = root.resolve(rel);
            if (!Files.isRegularFile(f)) continue;
            String src = Files.readString(f);
            int at = src.indexOf("record " + record.getSimpleName() + "(");
            int doc = src.lastIndexOf("/**", at);
            if (at < 0 || doc < 0) return out;
            String javadoc = src.substring(doc, src.indexOf("*/", doc));
            Matcher m = Pattern.compile("@param\\s+(\\w+)\\s+((?:(?!@param)[\\s\\S])*)").matcher(javadoc);
            while (m.find()) out.put(m.group(1), m.group(2).replaceAll("\\s*\\n\\s*\\*\\s*", " ").trim()
                    .replaceAll("\\{@(?:code|link) ([^}]*)}", "`$1`"));
            return out;
        }
        return out;
    }

    /** A record component's YAML key (camelCase to snake_case), as Json's naming strategy writes it. */
    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** The main source roots of the project, found from a module directory or the root. */
    public static List<Path> sourceRoots(Path projectRoot) throws IOException {
        List<Path> roots = new ArrayList<>();
        roots.add(projectRoot.resolve("experiments/src/main/java"));
        try (Stream<Path> s = Files.list(projectRoot.resolve("modules"))) {
            s.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).sorted().forEach(roots::add);
        }
        return roots;
    }
}
